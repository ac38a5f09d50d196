namespace Microservice.Kit.Tokens;

/// <summary>Issues signed access tokens (<c>typ: at+jwt</c>) with this service's current signing key.</summary>
public interface ITokenIssuer
{
    /// <summary>Issues a token for a subject.</summary>
    /// <param name="request">The subject, permissions, extra claims and lifetime.</param>
    /// <returns>The token and the facts a token endpoint returns about it.</returns>
    /// <exception cref="ArgumentException">The request is invalid, for example an extra claim uses a registered name such as <c>exp</c>.</exception>
    IssuedToken Issue(TokenRequest request);
}

/// <summary>What to put in an issued token.</summary>
public sealed class TokenRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="subject">The <c>sub</c> claim, for example a user name or a service name.</param>
    public TokenRequest(string subject)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        Subject = subject;
    }

    /// <summary>The <c>sub</c> claim.</summary>
    public string Subject { get; }

    /// <summary>The <c>permissions</c> claim (a JSON array), for example <c>emp.create</c>.</summary>
    public IReadOnlyCollection<string> Permissions { get; init; } = [];

    /// <summary>Extra claims; values must be strings, numbers, booleans or arrays of them. Registered names (<c>iss</c>, <c>exp</c>, ...) are refused.</summary>
    public IReadOnlyDictionary<string, object>? Claims { get; init; }

    /// <summary>The token's lifetime, or <see langword="null"/> for <see cref="TokenOptions.Lifetime"/>.</summary>
    public TimeSpan? Lifetime { get; init; }
}

/// <summary>An issued token and the facts an OAuth-style token response carries.</summary>
public sealed class IssuedToken
{
    internal IssuedToken(string accessToken, string tokenId, string keyId, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        AccessToken = accessToken;
        TokenId = tokenId;
        KeyId = keyId;
        IssuedAt = issuedAt;
        ExpiresAt = expiresAt;
    }

    /// <summary>The signed token (<c>access_token</c>).</summary>
    public string AccessToken { get; }

    /// <summary>The token type for the <c>token_type</c> member: always <c>Bearer</c>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Read per token by serializers and callers; a constant today, per token if DPoP is added.")]
    public string TokenType => "Bearer";

    /// <summary>The token's <c>jti</c>.</summary>
    public string TokenId { get; }

    /// <summary>The <c>kid</c> of the key that signed it.</summary>
    public string KeyId { get; }

    /// <summary>The token's <c>iat</c>.</summary>
    public DateTimeOffset IssuedAt { get; }

    /// <summary>The token's <c>exp</c>.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The lifetime in whole seconds, for the <c>expires_in</c> member.</summary>
    public long ExpiresIn => (long)(ExpiresAt - IssuedAt).TotalSeconds;
}

using System.Security.Claims;

namespace Microservice.Kit.Tokens;

/// <summary>
/// Validates access tokens with the kit's safe defaults and its validated-token cache. The authentication scheme
/// uses it; call it yourself to read a token's claims for diagnostics. There is no way to read claims without validating.
/// </summary>
public interface ITokenValidator
{
    /// <summary>Validates a token.</summary>
    /// <param name="token">The compact JWS, without a <c>Bearer</c> prefix.</param>
    /// <param name="cancellationToken">Cancels a key fetch the validation may need.</param>
    /// <returns>The outcome; never throws for a bad token.</returns>
    ValueTask<TokenValidationOutcome> ValidateAsync(string? token, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of validating a token: either its claims, or why it was rejected.</summary>
public sealed class TokenValidationOutcome
{
    private static readonly TokenValidationOutcome[] Failures = CreateFailures();
    private readonly ClaimsIdentity? _identity;

    private TokenValidationOutcome(TokenFailureReason reason)
    {
        FailureReason = reason;
        Permissions = [];
    }

    internal TokenValidationOutcome(ClaimsIdentity identity, string? subject, string[] permissions, DateTimeOffset expiresAt, string? keyId, string? tokenId, string? issuer = null)
    {
        Issuer = issuer;
        _identity = identity;
        Subject = subject;
        Permissions = permissions;
        ExpiresAt = expiresAt;
        KeyId = keyId;
        TokenId = tokenId;
    }

    /// <summary>Whether the token is valid.</summary>
    public bool IsValid => FailureReason == TokenFailureReason.None;

    /// <summary>Why the token was rejected, or <see cref="TokenFailureReason.None"/>.</summary>
    public TokenFailureReason FailureReason { get; }

    /// <summary>The <c>sub</c> claim of a valid token.</summary>
    public string? Subject { get; }

    /// <summary>The <c>permissions</c> of a valid token.</summary>
    public IReadOnlyList<string> Permissions { get; }

    /// <summary>The <c>exp</c> of a valid token.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The <c>kid</c> of the key that signed a valid token.</summary>
    public string? KeyId { get; }

    /// <summary>The <c>jti</c> of a valid token.</summary>
    public string? TokenId { get; }

    /// <summary>The <c>iss</c> of a valid token: this service's own issuer or one of its trusted issuers.</summary>
    public string? Issuer { get; }

    /// <summary>Every claim of a valid token (empty for a rejected one).</summary>
    public IEnumerable<Claim> Claims => _identity?.Claims ?? [];

    /// <summary>
    /// A new principal for a valid token. Each call returns its own copy, because the outcome is cached and
    /// shared by every request that sends the same token.
    /// </summary>
    /// <returns>The principal.</returns>
    /// <exception cref="InvalidOperationException">The token is not valid.</exception>
    public ClaimsPrincipal CreatePrincipal() =>
        new Internal.TokenPrincipal((_identity ?? throw new InvalidOperationException("A rejected token has no principal.")).Clone());

    internal static TokenValidationOutcome Failure(TokenFailureReason reason) => Failures[(int)reason];

    private static TokenValidationOutcome[] CreateFailures()
    {
        var values = Enum.GetValues<TokenFailureReason>();
        var failures = new TokenValidationOutcome[values.Length];
        foreach (var value in values)
        {
            failures[(int)value] = new TokenValidationOutcome(value);
        }

        return failures;
    }
}

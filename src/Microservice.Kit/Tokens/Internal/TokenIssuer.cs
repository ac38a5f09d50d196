using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Microservice.Kit.Tokens.Internal;

internal sealed class TokenIssuer : ITokenIssuer
{
    /// <summary>Claims the issuer sets itself; a caller may not override them through extra claims.</summary>
    private static readonly FrozenSet<string> Reserved = FrozenSet.ToFrozenSet(
        ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", TokenDefaults.PermissionsClaim, "typ", "kid", "alg", "cnf"], StringComparer.Ordinal);

    private readonly LocalKeyRing _keys;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TokenOptions _options;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public TokenIssuer(LocalKeyRing keys, IOptions<TokenOptions> options, TimeProvider timeProvider, ILogger<TokenIssuer> logger)
    {
        _keys = keys;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public IssuedToken Issue(TokenRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lifetime = request.Lifetime ?? _options.Lifetime;
        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("The lifetime must be positive.", nameof(request));
        }

        var key = _keys.SigningKey;
        // Whole seconds: exp, nbf and iat are NumericDates, and expires_in must agree with exp exactly.
        var now = DateTimeOffset.FromUnixTimeSeconds(_timeProvider.GetUtcNow().ToUnixTimeSeconds());
        var expires = now + TimeSpan.FromSeconds(Math.Ceiling(lifetime.TotalSeconds));
        var tokenId = Guid.NewGuid().ToString("N");

        var claims = new Dictionary<string, object>(4 + (request.Claims?.Count ?? 0), StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Sub] = request.Subject,
            [JwtRegisteredClaimNames.Jti] = tokenId,
            [TokenDefaults.PermissionsClaim] = request.Permissions as string[] ?? [.. request.Permissions],
        };
        if (request.Claims is not null)
        {
            foreach (var (name, value) in request.Claims)
            {
                if (Reserved.Contains(name))
                {
                    throw new ArgumentException($"The claim '{name}' is set by the issuer and cannot be given as an extra claim.", nameof(request));
                }

                claims[name] = value;
            }
        }

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = claims,
            SigningCredentials = key.Credentials,
            TokenType = TokenDefaults.TokenType,
        });

        TokenMetrics.Issued.Add(1);
        Log.TokenIssued(_logger, tokenId, key.KeyId);
        return new IssuedToken(token, tokenId, key.KeyId, now, expires);
    }
}

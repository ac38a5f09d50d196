using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// Validation on <see cref="JsonWebTokenHandler"/> with what it leaves off by default: a key-bound algorithm allow-list,
/// <c>typ: at+jwt</c>, required issuer, audience and <c>exp</c>, a 30 s skew, a size cap, <c>kid</c> as a lookup key only
/// (no trying every key), header-embedded keys and <c>crit</c> refused, strict base64url, and a failure reason that
/// never comes from an unverified claim. Several issuers may be trusted, each with its own keys and audiences (the
/// unverified <c>iss</c> only selects which). Successful outcomes are cached.
/// </summary>
internal sealed class TokenValidator : ITokenValidator
{
    private readonly TrustedIssuerSet _issuers;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TokenOptions _options;
    private readonly JsonWebTokenHandler _handler;
    private readonly ValidatedTokenCache _cache;

    public TokenValidator(TrustedIssuerSet issuers, IOptions<TokenOptions> options, TimeProvider timeProvider, ILogger<TokenValidator> logger)
    {
        _issuers = issuers;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _handler = new JsonWebTokenHandler { MaximumTokenSizeInBytes = _options.MaxTokenSize, MapInboundClaims = false };
        _cache = new ValidatedTokenCache(_options.CacheSize);
    }

    /// <summary>A validator that trusts one issuer, <see cref="TokenOptions.Issuer"/> and <see cref="TokenOptions.Audience"/>, with the given keys.</summary>
    public TokenValidator(IValidationKeySource keys, IOptions<TokenOptions> options, TimeProvider timeProvider, ILogger<TokenValidator> logger)
        : this(new TrustedIssuerSet([new TrustedIssuer("local", options.Value.Issuer!, [options.Value.Audience!], keys)]), options, timeProvider, logger)
    {
    }

    /// <summary>
    /// The cache lookup of <see cref="ValidateAsync"/> for a token still inside its header, without making its string.
    /// A hit counts only after <see cref="IsCurrentAsync"/> confirms the issuer's keys are still the set it was validated
    /// with; on a miss, or when they are not, the caller takes the full path with the token's string.
    /// </summary>
    public bool TryGetCached(ReadOnlySpan<char> token, out TokenValidationOutcome outcome, out int source, out long epoch)
    {
        if (token.Length > 0 && token.Length <= _options.MaxTokenSize)
        {
            return _cache.TryGet(token, _timeProvider.GetUtcNow().UtcTicks, out outcome, out source, out epoch);
        }

        outcome = null!;
        source = -1;
        epoch = 0;
        return false;
    }

    /// <summary>Whether a cached outcome of issuer <paramref name="source"/> still stands (fetching stale keys first, as the full path does).</summary>
    public async ValueTask<bool> IsCurrentAsync(int source, long epoch, CancellationToken cancellationToken)
    {
        var current = await _issuers.All[source].Keys.GetAsync(cancellationToken).ConfigureAwait(false);
        if (current.Epoch != epoch)
        {
            return false;
        }

        TokenMetrics.Valid(cached: true);
        return true;
    }

    public async ValueTask<TokenValidationOutcome> ValidateAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token))
        {
            return Reject(TokenFailureReason.Missing);
        }

        // Characters, not bytes: a token is ASCII, and a non-ASCII one is rejected as malformed anyway.
        if (token.Length > _options.MaxTokenSize)
        {
            return Reject(TokenFailureReason.TooLarge);
        }

        // The cache remembers which issuer validated the token; the hit counts only while that issuer's keys are the
        // set it was validated with (a retired key drops its tokens). Asking for the keys also refreshes a stale JWKS.
        if (_cache.TryGet(token, _timeProvider.GetUtcNow().UtcTicks, out var cached, out var cachedSource, out var cachedEpoch))
        {
            if (await IsCurrentAsync(cachedSource, cachedEpoch, cancellationToken).ConfigureAwait(false))
            {
                return cached;
            }

            _cache.Remove(token);
        }

        // Form first, before any key is used: segments, base64url, crit, embedded keys, NumericDate types.
        var all = _issuers.All;
        var shape = TokenShape.Read(token, readIssuer: all.Length > 1);
        if (shape.Failure != TokenFailureReason.None)
        {
            return Reject(shape.Failure);
        }

        // The unverified iss only picks whose keys to try: the picked issuer's key must verify the signature, and the
        // handler checks iss against that issuer again. A token naming no trusted issuer is judged by the first one, so
        // that its verdict is the same as with a single issuer (unknown key or bad signature, never a claim).
        var index = all.Length == 1 ? 0 : Math.Max(0, _issuers.IndexOf(shape.Issuer));
        var trusted = all[index];
        var keys = await trusted.Keys.GetAsync(cancellationToken).ConfigureAwait(false);

        // The kid picks the key and the key fixes the algorithm. Both are decided here, from the header alone, so that
        // an unverifiable token is never classified by claims nobody has verified.
        if (shape.KeyId is null || !keys.ByKeyId.ContainsKey(shape.KeyId))
        {
            // An unknown kid may be a key the issuer has just rotated to. Refresh (rate-limited) and look again; a kid
            // that could never be a key id is refused without causing a fetch.
            if (!KeyIds.IsWellFormed(shape.KeyId))
            {
                return Reject(TokenFailureReason.UnknownKey);
            }

            keys = await trusted.Keys.RefreshForUnknownKeyAsync(cancellationToken).ConfigureAwait(false);
            if (!keys.ByKeyId.ContainsKey(shape.KeyId!))
            {
                return Reject(TokenFailureReason.UnknownKey);
            }
        }

        var key = keys.ByKeyId[shape.KeyId!];
        // Each key verifies only the algorithm it was made for, so a public key can never be an HMAC secret.
        if (!string.Equals(shape.Algorithm, key.Algorithm, StringComparison.Ordinal))
        {
            return Reject(TokenFailureReason.WrongAlgorithm);
        }

        var result = await _handler.ValidateTokenAsync(token, ParametersFor(trusted, keys)).ConfigureAwait(false);
        if (!result.IsValid)
        {
            var reason = Classify(result.Exception);
            // The handler checks claims before the signature: a claim's verdict counts only when the signature verifies.
            return Reject(IsSignatureFailure(reason) || VerifiesSignature(token, key) ? reason : TokenFailureReason.BadSignature);
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        var admitted = _cache.Admits(token);
        // A cached outcome lives as long as its token, so it keeps a copy of the identity (claims and claim types), not
        // the handler's, which holds the whole parsed token (its text, both decoded JSON documents and their
        // dictionaries: ~3.5 KB more to carry through every collection until the entry is dropped).
        var identity = admitted ? new CaseSensitiveClaimsIdentity(result.ClaimsIdentity) : result.ClaimsIdentity;
        var permissions = identity.FindAll(TokenDefaults.PermissionsClaim).Select(c => c.Value).ToArray();
        var outcome = new TokenValidationOutcome(identity, jwt.Subject, permissions, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), jwt.Kid, jwt.Id, trusted.Issuer);
        if (admitted)
        {
            _cache.Add(token, outcome, keys.Epoch, index);
        }

        TokenMetrics.Valid(cached: false);
        return outcome;
    }

    private TokenValidationOutcome Reject(TokenFailureReason reason)
    {
        TokenMetrics.Rejected(reason);
        Log.TokenRejected(_logger, reason);
        return TokenValidationOutcome.Failure(reason);
    }

    private TokenValidationParameters ParametersFor(TrustedIssuer trusted, KeySet keys)
    {
        if (trusted.Parameters is ParametersForKeys current && ReferenceEquals(current.Keys, keys))
        {
            return current.Parameters;
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = trusted.Issuer,
            ValidAudiences = trusted.Audiences,
            ValidateIssuer = true,
            ValidateAudience = true,
            RequireAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = _options.ClockSkew,
            TypeValidator = ValidateType,
            IssuerSigningKeys = keys.SecurityKeys,
            // The kid selects the key; a token without a matching kid is not tried against every key.
            TryAllIssuerSigningKeys = false,
            ValidAlgorithms = [.. keys.AlgorithmByKeyId.Values.Distinct(StringComparer.Ordinal)],
            // Each key verifies only the algorithm it was made for: an ES256 / RS256 public key can never be used as
            // an HMAC secret (algorithm confusion), whatever the header says.
            AlgorithmValidator = (algorithm, key, _, _) =>
                key.KeyId is not null && keys.AlgorithmByKeyId.TryGetValue(key.KeyId, out var bound) && bound == algorithm,
            NameClaimType = JwtRegisteredClaimNames.Sub,
            RoleClaimType = TokenDefaults.PermissionsClaim,
            AuthenticationType = TokenDefaults.AuthenticationScheme,
            // Lifetime against the injected TimeProvider (the handler would read the system clock), with the
            // handler's own exception types so that the failure reason is still classified.
            LifetimeValidator = ValidateLifetime,
            LogValidationExceptions = false,
        };
        trusted.Parameters = new ParametersForKeys(keys, parameters);
        return parameters;
    }

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiration time.");
        }

        var now = _timeProvider.GetUtcNow().UtcDateTime;
        if (notBefore is { } nbf)
        {
            if (nbf > expires.Value)
            {
                throw new SecurityTokenInvalidLifetimeException("The token's nbf is after its exp.");
            }

            if (nbf > now + _options.ClockSkew)
            {
                throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = nbf };
            }
        }

        if (expires.Value < now - _options.ClockSkew)
        {
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = expires.Value };
        }

        return true;
    }

    /// <summary>
    /// <c>at+jwt</c> (RFC 9068 §4), with or without the <c>application/</c> prefix that RFC 7515 §4.1.9 lets a sender omit,
    /// in any case, since media type names are case-insensitive.
    /// </summary>
    private static string ValidateType(string? type, SecurityToken token, TokenValidationParameters parameters) =>
        string.Equals(type, TokenDefaults.TokenType, StringComparison.OrdinalIgnoreCase)
        || string.Equals(type, "application/" + TokenDefaults.TokenType, StringComparison.OrdinalIgnoreCase)
            ? type!
            : throw new SecurityTokenInvalidTypeException("The token's typ is not at+jwt.") { InvalidType = type };

    private static bool IsSignatureFailure(TokenFailureReason reason) =>
        reason is TokenFailureReason.BadSignature or TokenFailureReason.WrongAlgorithm or TokenFailureReason.UnknownKey;

    private static bool VerifiesSignature(string token, TrustedKey key)
    {
        var lastDot = token.LastIndexOf('.');
        var factory = key.Key.CryptoProviderFactory;
        var provider = factory.CreateForVerifying(key.Key, key.Algorithm);
        try
        {
            // The providers refuse an empty signature with an exception; it is simply not a valid one.
            var signature = Base64UrlEncoder.DecodeBytes(token[(lastDot + 1)..]);
            return signature.Length > 0 && provider.Verify(Encoding.ASCII.GetBytes(token[..lastDot]), signature);
        }
        finally
        {
            factory.ReleaseSignatureProvider(provider);
        }
    }

    internal static TokenFailureReason Classify(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => TokenFailureReason.Expired,
        SecurityTokenNotYetValidException => TokenFailureReason.NotYetValid,
        SecurityTokenNoExpirationException => TokenFailureReason.NoExpiration,
        SecurityTokenInvalidIssuerException => TokenFailureReason.WrongIssuer,
        SecurityTokenInvalidAudienceException => TokenFailureReason.WrongAudience,
        SecurityTokenInvalidTypeException => TokenFailureReason.WrongType,
        SecurityTokenInvalidAlgorithmException => TokenFailureReason.WrongAlgorithm,
        SecurityTokenSignatureKeyNotFoundException => TokenFailureReason.UnknownKey,
        SecurityTokenInvalidSignatureException { InnerException: SecurityTokenInvalidAlgorithmException } => TokenFailureReason.WrongAlgorithm,
        SecurityTokenInvalidSignatureException => TokenFailureReason.BadSignature,
        SecurityTokenMalformedException or ArgumentException => TokenFailureReason.Malformed,
        _ => TokenFailureReason.Invalid,
    };

    private sealed record ParametersForKeys(KeySet Keys, TokenValidationParameters Parameters);
}

using System.ComponentModel.DataAnnotations;

namespace Microservice.Kit.Tokens;

/// <summary>The signing algorithm of the tokens a service issues.</summary>
public enum TokenSigningAlgorithm
{
    /// <summary>ECDSA with P-256 and SHA-256: small keys, public verification through JWKS. The recommended choice for a fleet.</summary>
    ES256 = 0,

    /// <summary>HMAC with SHA-256 and a shared secret of at least 32 bytes: for a single service that issues and validates.</summary>
    HS256 = 1,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256 and a 2048-bit key: for verifiers that only speak RSA.</summary>
    RS256 = 2,
}

/// <summary>Options of token issuance and validation, bound from <c>MicroserviceKit:Tokens</c>.</summary>
public sealed class TokenOptions
{
    /// <summary>The <c>iss</c> of issued tokens and the only issuer validation accepts.</summary>
    /// <value>The default is the kit's <c>ServiceName</c>. A service that validates another's tokens must set it to that service's issuer.</value>
    [StringLength(256, MinimumLength = 1)]
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> of issued tokens and the only audience validation accepts.</summary>
    /// <value>The default is <see cref="Issuer"/>.</value>
    [StringLength(256, MinimumLength = 1)]
    public string? Audience { get; set; }

    /// <summary>How long an issued token is valid unless the request asks for another lifetime.</summary>
    /// <value>The default is 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "must be between 10 seconds and 1 day")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The tolerance for clocks of issuer and validator that disagree, applied to <c>exp</c> and <c>nbf</c>.</summary>
    /// <value>The default is 30 seconds (the underlying handler's default is 5 minutes).</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "must be between 0 and 5 minutes")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest token, in bytes, that validation looks at; larger ones are rejected before parsing.</summary>
    /// <value>The default is 8192 bytes.</value>
    [Range(256, 262144, ErrorMessage = "must be between 256 and 262144 bytes")]
    public int MaxTokenSize { get; set; } = 8192;

    /// <summary>The algorithm of issued tokens and of the local keys validation trusts.</summary>
    /// <value>The default is <see cref="TokenSigningAlgorithm.ES256"/>.</value>
    [EnumDataType(typeof(TokenSigningAlgorithm), ErrorMessage = "must be ES256, HS256 or RS256")]
    public TokenSigningAlgorithm Algorithm { get; set; } = TokenSigningAlgorithm.ES256;

    /// <summary>The HS256 secret, at least 32 bytes in UTF-8. Keep it out of source control. Never published in JWKS.</summary>
    /// <value>The default is <see langword="null"/> (required for <see cref="TokenSigningAlgorithm.HS256"/>).</value>
    public string? Secret { get; set; }

    /// <summary>
    /// Where an ES256 / RS256 key is generated on first start and kept (file <c>token-keys.json</c>, written atomically,
    /// readable only by the process owner), so that tokens survive restarts and rotations are remembered. A relative
    /// path is resolved against the host's content root.
    /// </summary>
    /// <value>The default is <see langword="null"/>: without it and without <see cref="PrivateKeyPem"/> the key lives in memory only.</value>
    public string? KeyDirectory { get; set; }

    /// <summary>An ES256 / RS256 private key in PEM (PKCS#8, SEC1 or PKCS#1), for keys managed outside the service.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? PrivateKeyPem { get; set; }

    /// <summary>
    /// The absolute URL of another service's JWKS document. When set, validation trusts only the keys found there
    /// (fetched through <c>IHttpClientFactory</c>, cached, refreshed on an unknown <c>kid</c>) and needs no secret.
    /// </summary>
    /// <value>The default is <see langword="null"/>: validation trusts this service's own keys.</value>
    /// <remarks>The host may be a service name resolved by service discovery (<c>https+http://employees/.well-known/jwks.json</c>, docs/hosting.md).</remarks>
    public string? JwksUrl { get; set; }

    /// <summary>How long a fetched JWKS document is used before it is fetched again (retired keys stop validating then).</summary>
    /// <value>The default is 5 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "must be between 1 second and 1 day")]
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The shortest time between two fetches caused by an unknown <c>kid</c>, so that a flood of tokens with random
    /// <c>kid</c>s cannot make this service hammer the issuer.
    /// </summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "must be between 0 and 1 hour")]
    public TimeSpan JwksMinimumRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A request header that carries the bare token besides <c>Authorization: Bearer</c>, for example <c>X-Auth-Header</c>.</summary>
    /// <value>The default is <see langword="null"/>: only the <c>Authorization</c> header is read.</value>
    [RegularExpression("^[A-Za-z0-9-]{1,64}$", ErrorMessage = "must be a header name of letters, digits and '-'")]
    public string? TokenHeader { get; set; }

    /// <summary>
    /// How many successfully validated tokens are remembered, so that a repeated token skips signature checks. A token is
    /// remembered from its second validation, when it comes back before this many other tokens. 0 turns the cache off.
    /// </summary>
    /// <value>The default is 10000.</value>
    [Range(0, 1_000_000, ErrorMessage = "must be between 0 and 1000000")]
    public int CacheSize { get; set; } = 10_000;

    /// <summary>
    /// How long a rotated key is only published before it signs, so that every replica and every validating service
    /// knows it before the first token it signs (the Data Protection key-ring model). Must be longer than
    /// <see cref="JwksRefreshInterval"/> plus <see cref="KeyRingRefreshInterval"/>. A service's first key signs at once.
    /// </summary>
    /// <value>The default is 10 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00", ErrorMessage = "must be between 0 and 30 days")]
    public TimeSpan KeyActivationDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How often an issuer reloads its key ring from the key store, to learn keys another replica rotated or retired.
    /// It also reloads on a token with an unknown <c>kid</c>, at most once per <see cref="JwksMinimumRefreshInterval"/>.
    /// </summary>
    /// <value>The default is 1 minute.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "must be between 1 second and 1 day")]
    public TimeSpan KeyRingRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Other services whose tokens validation accepts besides this service's own, by a name of your choice
    /// (<c>MicroserviceKit:Tokens:TrustedIssuers:employees:JwksUrl</c>). A token is checked against the one trusted
    /// issuer its <c>iss</c> names, with that issuer's keys and audiences and the same safe defaults as every other token.
    /// </summary>
    /// <value>The default is empty: only this service's own tokens (or those of <see cref="JwksUrl"/>) are accepted.</value>
    public IDictionary<string, TrustedIssuerOptions> TrustedIssuers { get; set; } = new Dictionary<string, TrustedIssuerOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The clients that may obtain a token from this service's token endpoint with the client-credentials grant
    /// (RFC 6749 §4.4), by client id (<c>MicroserviceKit:Tokens:Clients:library:SecretHash</c>).
    /// </summary>
    /// <value>The default is empty: the endpoint refuses every client.</value>
    public IDictionary<string, TokenClientOptions> Clients { get; set; } = new Dictionary<string, TokenClientOptions>(StringComparer.Ordinal);
}

/// <summary>
/// Another service whose tokens this service accepts, bound from <c>MicroserviceKit:Tokens:TrustedIssuers:&lt;name&gt;</c>.
/// Its keys come from its JWKS document, fetched, cached and refreshed like <see cref="TokenOptions.JwksUrl"/>'s.
/// </summary>
public sealed class TrustedIssuerOptions
{
    /// <summary>The <c>iss</c> the issuer writes into its tokens; it selects this issuer's keys and audiences.</summary>
    /// <value>The default is <see langword="null"/> (required).</value>
    public string? Issuer { get; set; }

    /// <summary>The absolute http or https URL of the issuer's JWKS document.</summary>
    /// <value>The default is <see langword="null"/> (required).</value>
    public string? JwksUrl { get; set; }

    /// <summary>The <c>aud</c> values accepted in this issuer's tokens; a token must name at least one of them.</summary>
    /// <value>The default is empty (at least one is required).</value>
    public IList<string> Audiences { get; set; } = [];
}

/// <summary>
/// A client registered for the client-credentials grant, bound from <c>MicroserviceKit:Tokens:Clients:&lt;client id&gt;</c>.
/// </summary>
public sealed class TokenClientOptions
{
    /// <summary>
    /// The client secret's PBKDF2 hash in ASP.NET Core Identity's format (<c>ClientSecretHasher.Hash(secret)</c> makes one).
    /// Never the secret itself: a leaked configuration file then reveals no usable credential.
    /// </summary>
    /// <value>The default is <see langword="null"/> (required).</value>
    public string? SecretHash { get; set; }

    /// <summary>The permissions the client's tokens may carry; a request's <c>scope</c> may ask for fewer, never more.</summary>
    /// <value>The default is empty: tokens without permissions.</value>
    public IList<string> Permissions { get; set; } = [];
}

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// What the application asked of the token feature, recorded while services are registered: whether it issues tokens
/// (<c>AddTokenIssuer</c>). The trust configuration depends on it, and the registration order of <c>AddTokenIssuer</c>
/// and <c>AddTokenValidation</c> must not matter, so it is read only once the container is built.
/// </summary>
internal sealed class TokenRoles
{
    public bool Issues { get; set; }

    /// <summary>
    /// Whether validation trusts this service's own keys: it issues tokens, or it has keys configured, or nothing else
    /// is trusted. <see cref="TokenOptions.JwksUrl"/> always means "another service's keys instead of mine".
    /// </summary>
    public bool TrustsLocalKeys(TokenOptions options) =>
        options.JwksUrl is null
        && (Issues
            || options.TrustedIssuers.Count == 0
            || !string.IsNullOrEmpty(options.Secret)
            || !string.IsNullOrEmpty(options.PrivateKeyPem)
            || !string.IsNullOrEmpty(options.KeyDirectory));
}

using System.Text;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>Rules that span several token options; messages name the full configuration key.</summary>
internal sealed class TokenOptionsValidator(string key) : IValidateOptions<TokenOptions>
{
    public const int MinimumSecretBytes = 32;

    public ValidateOptionsResult Validate(string? name, TokenOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add($"{key}:Issuer is required (it defaults to MicroserviceKit:ServiceName).");
        }

        if (options.JwksUrl is not null)
        {
            if (!Uri.TryCreate(options.JwksUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{key}:JwksUrl must be an absolute http or https URL.");
            }
        }
        else if (options.Algorithm == TokenSigningAlgorithm.HS256)
        {
            if (string.IsNullOrEmpty(options.Secret))
            {
                failures.Add($"{key}:Secret is required for HS256.");
            }
            else if (Encoding.UTF8.GetByteCount(options.Secret) < MinimumSecretBytes)
            {
                // RFC 7518 §3.2: an HS256 key must be at least as long as the hash output, 256 bits.
                failures.Add($"{key}:Secret must be at least {MinimumSecretBytes} bytes for HS256.");
            }
        }

        if (!string.IsNullOrEmpty(options.PrivateKeyPem) && !string.IsNullOrEmpty(options.KeyDirectory))
        {
            failures.Add($"{key}:PrivateKeyPem and {key}:KeyDirectory cannot both be set.");
        }

        if (options.JwksMinimumRefreshInterval > options.JwksRefreshInterval)
        {
            failures.Add($"{key}:JwksMinimumRefreshInterval must not be longer than {key}:JwksRefreshInterval.");
        }

        // A validator's key set can be JwksRefreshInterval old, and the replica it fetched from can have read the ring
        // KeyRingRefreshInterval before that: a key that signed sooner could reach a validator that has never seen it.
        // Only generated keys rotate; a service that validates through JwksUrl or holds a configured key has no ring to rotate.
        var rotates = options.JwksUrl is null && options.Algorithm != TokenSigningAlgorithm.HS256 && string.IsNullOrEmpty(options.PrivateKeyPem);
        if (rotates && options.KeyActivationDelay <= options.JwksRefreshInterval + options.KeyRingRefreshInterval)
        {
            failures.Add($"{key}:KeyActivationDelay ({options.KeyActivationDelay}) must be longer than {key}:JwksRefreshInterval plus {key}:KeyRingRefreshInterval ({options.JwksRefreshInterval + options.KeyRingRefreshInterval}), so that every replica and validating service knows a rotated key before it signs.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// Refuses a token configuration that contradicts itself: one that would start and then reject its own tokens, trust
/// two key sets for one <c>iss</c>, or accept nothing from an issuer. Every message names the settings involved.
/// </summary>
internal sealed class TokenTrustValidator(string key, TokenRoles roles) : IValidateOptions<TokenOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenOptions options)
    {
        var failures = new List<string>();
        if (options.JwksUrl is not null && roles.Issues)
        {
            // The issuer signs with the local ring and publishes it; validation would trust only the remote JWKS, so every
            // token this service issues would be rejected by itself as "signed with a key this service does not know".
            failures.Add($"{key}:JwksUrl is set, but this service also issues tokens (AddTokenIssuer): {key}:Issuer '{options.Issuer}' would name both "
                + $"this service's tokens and the remote issuer's, and this service would reject its own tokens. To accept another service's tokens "
                + $"besides its own, remove {key}:JwksUrl and add the other service as {key}:TrustedIssuers:<name> (Issuer, JwksUrl, Audiences).");
        }

        if (options.JwksUrl is not null && !roles.Issues)
        {
            foreach (var (setting, value) in new[] { ("Secret", options.Secret), ("PrivateKeyPem", options.PrivateKeyPem), ("KeyDirectory", options.KeyDirectory) })
            {
                if (!string.IsNullOrEmpty(value))
                {
                    failures.Add($"{key}:{setting} is set together with {key}:JwksUrl, which makes validation trust only the keys at that URL: "
                        + $"remove one of them (to trust this service's own keys besides another's, declare the other under {key}:TrustedIssuers).");
                }
            }
        }

        // Which setting declared each trusted iss, to name both sides of a duplicate.
        var declared = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options.JwksUrl is not null || roles.TrustsLocalKeys(options))
        {
            if (!string.IsNullOrWhiteSpace(options.Issuer))
            {
                declared[options.Issuer] = $"{key}:Issuer";
            }
        }

        foreach (var (issuerName, trusted) in options.TrustedIssuers.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var prefix = $"{key}:TrustedIssuers:{issuerName}";
            if (trusted is null)
            {
                failures.Add($"{prefix} is empty: set Issuer, JwksUrl and Audiences.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(trusted.Issuer))
            {
                failures.Add($"{prefix}:Issuer is required (the iss that issuer writes into its tokens).");
            }
            else if (declared.TryGetValue(trusted.Issuer, out var other))
            {
                failures.Add(other == $"{key}:Issuer"
                    ? $"{prefix}:Issuer is '{trusted.Issuer}', which {key}:Issuer already trusts with "
                        + (options.JwksUrl is null ? "this service's own keys" : $"the keys at {key}:JwksUrl")
                        + $": one iss cannot have two key sets. Give {key}:Issuer another value, or remove {prefix}."
                    : $"{prefix}:Issuer and {other}:Issuer both name '{trusted.Issuer}': one iss cannot have two key sets. Remove one of them.");
            }
            else
            {
                declared[trusted.Issuer] = prefix;
            }

            if (string.IsNullOrWhiteSpace(trusted.JwksUrl))
            {
                failures.Add($"{prefix}:JwksUrl is required (the absolute URL of that issuer's JWKS document).");
            }
            else if (!Uri.TryCreate(trusted.JwksUrl, UriKind.Absolute, out var url) || !Hosting.Internal.KitServiceDiscovery.IsSupported(url))
            {
                failures.Add($"{prefix}:JwksUrl must be an absolute http or https URL, or one on a service name to resolve (https+http://identity/.well-known/jwks.json).");
            }

            if (trusted.Audiences is null || trusted.Audiences.Count == 0)
            {
                failures.Add($"{prefix}:Audiences must name at least one audience: a token from that issuer is accepted only for an audience listed there.");
            }
            else if (trusted.Audiences.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{prefix}:Audiences must not contain an empty audience.");
            }
        }

        foreach (var (clientId, client) in options.Clients.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var prefix = $"{key}:Clients:{clientId}";
            if (!roles.Issues)
            {
                failures.Add($"{prefix} registers a client, but this service does not issue tokens: call AddTokenIssuer() or remove {key}:Clients.");
                break;
            }

            if (!ClientIds.IsWellFormed(clientId))
            {
                failures.Add($"{prefix}: a client id must be 1 to 128 visible ASCII characters without ':' (RFC 6749 §2.3.1 sends it in HTTP Basic).");
            }

            if (client is null || string.IsNullOrWhiteSpace(client.SecretHash))
            {
                failures.Add($"{prefix}:SecretHash is required: the client secret's hash (ClientSecretHasher.Hash), never the secret itself.");
            }
            else if (!ClientSecretHasher.IsHash(client.SecretHash))
            {
                failures.Add($"{prefix}:SecretHash is not a PBKDF2 hash in ASP.NET Core Identity's format: make one with ClientSecretHasher.Hash (is it the clear secret?).");
            }

            if (client?.Permissions is { } permissions && permissions.Any(p => string.IsNullOrWhiteSpace(p) || p.Contains(' ', StringComparison.Ordinal)))
            {
                failures.Add($"{prefix}:Permissions must not contain an empty permission or one with a space (scope separates permissions by spaces).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using Microsoft.Extensions.Options;

namespace Microservice.Kit.Clients.Internal;

/// <summary>For a client that calls <c>UseClientCredentials()</c>: the grant's settings are complete, checked at start.</summary>
internal sealed class ClientCredentialsOptionsValidator(string name) : IValidateOptions<ServiceClientOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, ServiceClientOptions options)
    {
        if (!string.Equals(optionsName, name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var key = $"MicroserviceKit:Clients:{name}:Token:ClientCredentials";
        var grant = options.Token.ClientCredentials;
        var errors = new List<string>();
        if (grant.TokenEndpoint is not { IsAbsoluteUri: true } endpoint || !Hosting.Internal.KitServiceDiscovery.IsSupported(endpoint))
        {
            errors.Add($"{key}:TokenEndpoint must be the absolute http or https URL of the issuer's token endpoint, or one on a service name to resolve (https+http://employees/api/v1/tokens) (UseClientCredentials was called for client '{name}').");
        }

        if (string.IsNullOrWhiteSpace(grant.ClientId))
        {
            errors.Add($"{key}:ClientId is required (UseClientCredentials was called for client '{name}').");
        }

        if (string.IsNullOrEmpty(grant.ClientSecret))
        {
            errors.Add($"{key}:ClientSecret is required (UseClientCredentials was called for client '{name}'); set it from a secret store or the environment.");
        }

        if (options.Token.Mode != ServiceClientTokenMode.Source)
        {
            errors.Add($"MicroserviceKit:Clients:{name}:Token:Mode is {options.Token.Mode}, but UseClientCredentials was called: leave Mode unset (or Source) for client '{name}'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Clients.Internal;

/// <summary>The rules of <see cref="ServiceClientOptions"/> that span properties or need the container; messages name the full key.</summary>
internal sealed class ServiceClientOptionsValidator(string name, string key, IServiceProviderIsKeyedService services) : IValidateOptions<ServiceClientOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, ServiceClientOptions options)
    {
        if (!string.Equals(optionsName, name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.BaseAddress is { } address && !Hosting.Internal.KitServiceDiscovery.IsSupported(address))
        {
            errors.Add($"{key}:BaseAddress must be an absolute http or https address, such as http://employees:8080/, or a service name to resolve, such as https+http://employees.");
        }

        if (options.TotalTimeout < options.AttemptTimeout)
        {
            errors.Add($"{key}:TotalTimeout ({options.TotalTimeout}) must not be less than {key}:AttemptTimeout ({options.AttemptTimeout}).");
        }

        if (options.Retry.MaxDelay < options.Retry.BaseDelay)
        {
            errors.Add($"{key}:Retry:MaxDelay must not be less than {key}:Retry:BaseDelay.");
        }

        if (options.SerializerOptions is null)
        {
            errors.Add($"{key}:SerializerOptions must not be null.");
        }

        if (options.Token.Mode == ServiceClientTokenMode.Source
            && !services.IsKeyedService(typeof(ITokenSource), name) && !services.IsService(typeof(ITokenSource)))
        {
            errors.Add($"{key}:Token:Mode is Source but no ITokenSource is registered for client '{name}': call AddTokenSource on the client's builder.");
        }

        for (var i = 0; i < options.ApiVersion.Versions.Count; i++)
        {
            if (!Versioning.ApiVersion.TryParse(options.ApiVersion.Versions[i], out _))
            {
                errors.Add($"{key}:ApiVersion:Versions:{i} ('{options.ApiVersion.Versions[i]}') is not an API version; expected 1.0, 2, 2.1-beta or 2026-11-28.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

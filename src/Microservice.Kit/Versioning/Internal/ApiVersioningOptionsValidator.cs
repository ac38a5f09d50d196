using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Versioning.Internal;

/// <summary>Checks what DataAnnotations cannot: that every version parses and every deprecation makes sense.</summary>
internal sealed class ApiVersioningOptionsValidator(string key) : IValidateOptions<ApiVersioningOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiVersioningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!string.IsNullOrEmpty(options.DefaultVersion) && !ApiVersion.TryParse(options.DefaultVersion, out _))
        {
            errors.Add($"{key}:DefaultVersion '{options.DefaultVersion}' is not an API version (expected 1.0, 2, 2.1-beta or 2026-11-28)");
        }

        for (var i = 0; i < options.SupportedVersions.Count; i++)
        {
            if (!ApiVersion.TryParse(options.SupportedVersions[i], out _))
            {
                errors.Add($"{key}:SupportedVersions:{i} '{options.SupportedVersions[i]}' is not an API version (expected 1.0, 2, 2.1-beta or 2026-11-28)");
            }
        }

        var seen = new HashSet<ApiVersion>();
        for (var i = 0; i < options.Deprecations.Count; i++)
        {
            var deprecation = options.Deprecations[i];
            if (string.IsNullOrEmpty(deprecation.Version))
            {
                continue; // DataAnnotations report the missing value.
            }

            if (!ApiVersion.TryParse(deprecation.Version, out var version))
            {
                errors.Add($"{key}:Deprecations:{i}:Version '{deprecation.Version}' is not an API version (expected 1.0, 2, 2.1-beta or 2026-11-28)");
            }
            else if (!seen.Add(version))
            {
                errors.Add($"{key}:Deprecations:{i}:Version {version} is listed twice");
            }

            if (deprecation.Date is { } date && deprecation.Sunset is { } sunset && sunset < date)
            {
                errors.Add($"{key}:Deprecations:{i}:Sunset must not be before its Date");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Registered once by <c>AddApiVersioning</c>; its presence is how <c>MapVersionedGroup</c> knows it was called.</summary>
internal sealed class ApiVersioningMarker;

/// <summary>What <c>AddApiVersioning</c> was given, so that OpenAPI documents can be registered for the configured versions at startup.</summary>
internal sealed record ApiVersioningRegistration(IConfigurationSection? Section, Action<ApiVersioningOptions>? Configure);

using Microservice.Kit.Hosting;
using Microservice.Kit.Hosting.Internal;
using Microservice.Kit.Versioning;
using Microservice.Kit.Versioning.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds one OpenAPI document per API version, through Microsoft.AspNetCore.OpenApi.</summary>
public static class ApiVersioningOpenApiKitBuilderExtensions
{
    /// <summary>
    /// Adds an OpenAPI document for each version in <c>MicroserviceKit:Versioning</c> (<c>SupportedVersions</c>, the
    /// versions in <c>Deprecations</c>, and the default version), and has <c>MapKitEndpoints</c> serve them at
    /// <c>/openapi/v1.json</c>, <c>/openapi/v2.json</c>, ... Each document holds the operations of that version's
    /// copies (<c>/api/v1/...</c>); operations of a deprecated version are marked <c>deprecated</c>.
    /// </summary>
    /// <param name="kit">The kit builder, after <c>AddApiVersioning</c>.</param>
    /// <returns>The kit builder.</returns>
    /// <exception cref="InvalidOperationException"><c>AddApiVersioning</c> was not called first.</exception>
    public static IMicroserviceKitBuilder AddVersionedOpenApi(this IMicroserviceKitBuilder kit)
    {
        ArgumentNullException.ThrowIfNull(kit);
        return AddCore(kit, VersionsFromOptions(kit), configure: null);
    }

    /// <summary>
    /// Adds an OpenAPI document for each of the given versions (for groups that declare their versions in code),
    /// served by <c>MapKitEndpoints</c> at <c>/openapi/v1.json</c>, ...; see <see cref="AddVersionedOpenApi(IMicroserviceKitBuilder)"/>.
    /// </summary>
    /// <param name="kit">The kit builder, after <c>AddApiVersioning</c>.</param>
    /// <param name="configure">Further settings for every document (transformers, ...), or <see langword="null"/>.</param>
    /// <param name="versions">The versions to document.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddVersionedOpenApi(this IMicroserviceKitBuilder kit, Action<OpenApiOptions>? configure, params ApiVersion[] versions)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(versions);
        return AddCore(kit, versions, configure);
    }

    /// <summary>The name of a version's document: <c>v1</c>, <c>v2.1</c>, <c>v2026-11-28</c>.</summary>
    /// <param name="version">The version.</param>
    /// <returns>The document name, as in <c>/openapi/{name}.json</c>.</returns>
    public static string DocumentNameOf(ApiVersion version) => $"v{version:S}";

    private static IMicroserviceKitBuilder AddCore(IMicroserviceKitBuilder kit, IEnumerable<ApiVersion> versions, Action<OpenApiOptions>? configure)
    {
        if (!kit.Services.Any(d => d.ServiceType == typeof(ApiVersioningMarker)))
        {
            throw new InvalidOperationException("AddVersionedOpenApi needs API versioning: call AddApiVersioning() before it.");
        }

        foreach (var version in versions.Distinct().Order())
        {
            var name = DocumentNameOf(version);
            if (kit.Services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, name) && d.ServiceType.Name == "OpenApiDocumentService"))
            {
                continue;
            }

            kit.Services.AddOpenApi(name, options =>
            {
                ApiVersionOpenApi.Configure(options, version);
                configure?.Invoke(options);
            });
        }

        kit.Services.AddSingleton(new KitEndpointRegistration("versioning.openapi", endpoints => endpoints.MapOpenApi()));
        return kit;
    }

    private static List<ApiVersion> VersionsFromOptions(IMicroserviceKitBuilder kit)
    {
        // Documents are registered now, before options exist: replay what AddApiVersioning was given.
        var probe = new ApiVersioningOptions();
        kit.Configuration?.GetSection(ApiVersioningKitBuilderExtensions.SectionName).Bind(probe);
        foreach (var descriptor in kit.Services.Where(d => d.ServiceType == typeof(ApiVersioningRegistration)))
        {
            if (descriptor.ImplementationInstance is ApiVersioningRegistration registration)
            {
                registration.Section?.Bind(probe);
                registration.Configure?.Invoke(probe);
            }
        }

        var versions = new List<ApiVersion>();
        if (ApiVersion.TryParse(probe.DefaultVersion, out var defaultVersion))
        {
            versions.Add(defaultVersion);
        }

        foreach (var text in probe.SupportedVersions.Concat(probe.Deprecations.Select(d => d.Version)))
        {
            if (ApiVersion.TryParse(text, out var version))
            {
                versions.Add(version);
            }
        }

        return versions;
    }
}

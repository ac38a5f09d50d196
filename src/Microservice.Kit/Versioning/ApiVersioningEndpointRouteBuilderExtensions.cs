using Microservice.Kit.Versioning;
using Microservice.Kit.Versioning.Internal;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps versioned minimal-API route groups.</summary>
public static class ApiVersioningEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps a versioned route group: endpoints mapped on it are served under <c>{prefix}/v1</c>, <c>{prefix}/v2</c>, ...
    /// (one per version), <c>{prefix}/v{version}</c> (other spellings, and 400 for unknown versions) and
    /// <c>{prefix}</c> (version from the header, query string or media type, else the default).
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="prefix">The prefix, for example <c>/api</c>.</param>
    /// <param name="configure">Declares the group's versions; when it declares none, <c>MicroserviceKit:Versioning:SupportedVersions</c> and <c>Deprecations</c> apply.</param>
    /// <returns>The group, on which to map endpoints.</returns>
    /// <exception cref="InvalidOperationException"><c>AddApiVersioning</c> was not called.</exception>
    public static VersionedRouteGroupBuilder MapVersionedGroup(this IEndpointRouteBuilder endpoints, string prefix, Action<ApiVersionSetBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var options = endpoints.ServiceProvider.GetService<IOptions<ApiVersioningOptions>>()
            ?? throw new InvalidOperationException("MapVersionedGroup needs API versioning: call builder.AddMicroserviceKit().AddApiVersioning() before building the application.");
        if (endpoints.ServiceProvider.GetService<ApiVersioningMarker>() is null)
        {
            throw new InvalidOperationException("MapVersionedGroup needs API versioning: call builder.AddMicroserviceKit().AddApiVersioning() before building the application.");
        }

        var builder = new ApiVersionSetBuilder();
        configure?.Invoke(builder);
        var set = builder.Build(options.Value);
        if (set.Supported.Length == 0)
        {
            throw new InvalidOperationException($"The versioned group '{prefix}' serves no version: declare one with HasVersion or set MicroserviceKit:Versioning:SupportedVersions.");
        }

        return new VersionedRouteGroupBuilder(endpoints, prefix, set);
    }

    /// <summary>
    /// Serves this endpoint of a versioned group only for the given version (call again for more). Use it to give a
    /// version its own handler where the shape differs: map the same path twice, each to its versions.
    /// </summary>
    /// <typeparam name="TBuilder">The convention builder's type.</typeparam>
    /// <param name="builder">The endpoint's convention builder.</param>
    /// <param name="version">A version the group serves.</param>
    /// <returns>The builder.</returns>
    public static TBuilder MapToApiVersion<TBuilder>(this TBuilder builder, ApiVersion version)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint => endpoint.Metadata.Add(new ApiVersionMappingMetadata(version)));
        return builder;
    }

    /// <summary>Serves this endpoint of a versioned group only for the given version; see <see cref="MapToApiVersion{TBuilder}(TBuilder, ApiVersion)"/>.</summary>
    /// <typeparam name="TBuilder">The convention builder's type.</typeparam>
    /// <param name="builder">The endpoint's convention builder.</param>
    /// <param name="version">A version the group serves, as a number (<c>2.0</c>).</param>
    /// <returns>The builder.</returns>
    public static TBuilder MapToApiVersion<TBuilder>(this TBuilder builder, double version)
        where TBuilder : IEndpointConventionBuilder => builder.MapToApiVersion(new ApiVersion(version));
    /// <summary>
    /// Declares, in the OpenAPI document of <paramref name="version"/> only, the JSON body of a response of an endpoint
    /// that one handler serves for several versions with a different shape each (the document of each version shows
    /// its own shape). For an endpoint with one shape, ASP.NET Core's <c>Produces&lt;T&gt;</c> is enough.
    /// </summary>
    /// <typeparam name="TBuilder">The convention builder's type.</typeparam>
    /// <param name="builder">The endpoint's convention builder.</param>
    /// <param name="version">The version whose document shows this response.</param>
    /// <param name="statusCode">The status the body comes with, for example 200.</param>
    /// <param name="responseType">The type written as <c>application/json</c>.</param>
    /// <returns>The builder.</returns>
    public static TBuilder ProducesForVersion<TBuilder>(this TBuilder builder, ApiVersion version, int statusCode, Type responseType)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(responseType);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        builder.Add(endpoint => endpoint.Metadata.Add(new ApiVersionResponseMetadata(version, statusCode, responseType)));
        return builder;
    }
}

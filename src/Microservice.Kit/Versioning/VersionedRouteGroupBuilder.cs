using System.Collections;
using Microservice.Kit.Versioning.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Microservice.Kit.Versioning;

/// <summary>
/// A route group whose endpoints are mapped once and served under every version's prefix (<c>/api/v1</c>,
/// <c>/api/v2</c>), under a catch-all <c>/api/{apiVersion}</c> for segments starting with <c>v</c> (other spellings such as <c>v2.0</c>, and the 400 for
/// an unknown version), and under the unversioned prefix (<c>/api</c>, version from header, query, media type or
/// the default). Map endpoints on it with the usual <c>MapGet</c>/<c>MapPost</c>/<c>MapGroup</c>; their builders
/// take <c>RequireAuthorization()</c> and other conventions as usual. Restrict an endpoint to some versions with
/// <c>MapToApiVersion</c>.
/// </summary>
public sealed class VersionedRouteGroupBuilder : IEndpointRouteBuilder, IEndpointConventionBuilder
{
    private readonly IEndpointRouteBuilder _outer;
    private readonly List<RouteGroupBuilder> _groups;
    private readonly ForwardingDataSources _dataSources;

    internal VersionedRouteGroupBuilder(IEndpointRouteBuilder outer, string prefix, ApiVersionSet set)
    {
        _outer = outer;
        Versions = [.. set.Supported];
        prefix = prefix.TrimEnd('/');
        _groups = [];
        foreach (var version in set.Supported)
        {
            var literal = version;
            var group = outer.MapGroup($"{prefix}/v{version:S}");
            ((IEndpointConventionBuilder)group).Finally(builder => Complete(builder, set, ApiVersionRouteKind.Literal, literal));
            _groups.Add(group);
        }

        var segment = new VersionSegmentConstraint(set.Supported.Select(version => $"v{version:S}"));
        var catchAll = outer.MapGroup(RoutePatternFactory.Parse(
            $"{prefix}/{{{ApiVersionEndpointMetadata.RouteParameter}}}",
            defaults: null,
            parameterPolicies: new RouteValueDictionary { [ApiVersionEndpointMetadata.RouteParameter] = segment })).ExcludeFromDescription();
        ((IEndpointConventionBuilder)catchAll).Finally(builder => Complete(builder, set, ApiVersionRouteKind.Parameter, default));
        _groups.Add(catchAll);

        var unversioned = outer.MapGroup(prefix.Length == 0 ? "/" : prefix).ExcludeFromDescription();
        ((IEndpointConventionBuilder)unversioned).Finally(builder => Complete(builder, set, ApiVersionRouteKind.Unversioned, default));
        _groups.Add(unversioned);
        _dataSources = new ForwardingDataSources(_groups);
    }

    /// <summary>The versions the group serves, oldest first, deprecated ones included.</summary>
    public IReadOnlyList<ApiVersion> Versions { get; }

    /// <inheritdoc/>
    public IServiceProvider ServiceProvider => _outer.ServiceProvider;

    /// <inheritdoc/>
    public ICollection<EndpointDataSource> DataSources => _dataSources;

    /// <inheritdoc/>
    public IApplicationBuilder CreateApplicationBuilder() => _outer.CreateApplicationBuilder();

    /// <inheritdoc/>
    public void Add(Action<EndpointBuilder> convention)
    {
        ArgumentNullException.ThrowIfNull(convention);
        foreach (var group in _groups)
        {
            ((IEndpointConventionBuilder)group).Add(convention);
        }
    }

    /// <inheritdoc/>
    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        ArgumentNullException.ThrowIfNull(finallyConvention);
        foreach (var group in _groups)
        {
            ((IEndpointConventionBuilder)group).Finally(finallyConvention);
        }
    }

    private static void Complete(EndpointBuilder builder, ApiVersionSet set, ApiVersionRouteKind kind, ApiVersion literal)
    {
        ApiVersion[] handles = [.. builder.Metadata.OfType<ApiVersionMappingMetadata>().Select(m => m.Version).Distinct()];
        foreach (var version in handles)
        {
            if (Array.IndexOf(set.Supported, version) < 0)
            {
                throw new InvalidOperationException(
                    $"Endpoint '{builder.DisplayName}' is mapped to API version {version}, which its group does not serve ({string.Join(", ", set.SupportedList)}).");
            }
        }

        if (handles.Length == 0)
        {
            handles = set.Supported;
        }

        var metadata = new ApiVersionEndpointMetadata(set, kind, literal, handles);
        builder.Metadata.Add(metadata);
        if (kind == ApiVersionRouteKind.Literal && !metadata.Serves(literal))
        {
            // This copy never serves (a v2-only handler under /api/v1); keep it out of API descriptions.
            builder.Metadata.Add(new ExcludeFromDescriptionAttribute());
        }
    }

    /// <summary>Adds each data source the caller maps (through <c>MapGet</c>, <c>MapGroup</c>, ...) to every copy of the group.</summary>
    private sealed class ForwardingDataSources(List<RouteGroupBuilder> groups) : ICollection<EndpointDataSource>
    {
        private readonly List<EndpointDataSource> _sources = [];

        public int Count => _sources.Count;

        public bool IsReadOnly => false;

        public void Add(EndpointDataSource item)
        {
            ArgumentNullException.ThrowIfNull(item);
            _sources.Add(item);
            foreach (var group in groups)
            {
                ((IEndpointRouteBuilder)group).DataSources.Add(item);
            }
        }

        public void Clear()
        {
            foreach (var group in groups)
            {
                foreach (var source in _sources)
                {
                    ((IEndpointRouteBuilder)group).DataSources.Remove(source);
                }
            }

            _sources.Clear();
        }

        public bool Contains(EndpointDataSource item) => _sources.Contains(item);

        public void CopyTo(EndpointDataSource[] array, int arrayIndex) => _sources.CopyTo(array, arrayIndex);

        public bool Remove(EndpointDataSource item)
        {
            foreach (var group in groups)
            {
                ((IEndpointRouteBuilder)group).DataSources.Remove(item);
            }

            return _sources.Remove(item);
        }

        public IEnumerator<EndpointDataSource> GetEnumerator() => _sources.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

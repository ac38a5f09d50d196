using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Microservice.Kit.Versioning.Internal;

/// <summary>
/// The versions a route group serves, with the reporting headers precomputed once so that a request only copies
/// references into the response headers.
/// </summary>
internal sealed class ApiVersionSet
{
    private readonly Dictionary<ApiVersion, DeprecationHeaders> _deprecations;

    public ApiVersionSet(IEnumerable<ApiVersion> supported, IEnumerable<ApiVersionDeprecation> deprecated, ApiVersion defaultVersion, bool assumeDefault)
    {
        _deprecations = [];
        foreach (var deprecation in deprecated)
        {
            _deprecations[deprecation.Version] = new DeprecationHeaders(deprecation);
        }

        Supported = [.. supported.Concat(_deprecations.Keys).Distinct().Order()];
        Deprecated = [.. _deprecations.Keys.Order()];
        DefaultVersion = defaultVersion;
        AssumeDefault = assumeDefault;
        SupportedHeader = new StringValues(string.Join(", ", Supported));
        DeprecatedHeader = Deprecated.Length == 0 ? StringValues.Empty : new StringValues(string.Join(", ", Deprecated));
        SupportedList = [.. Supported.Select(v => v.ToString())];
    }

    /// <summary>Every version served, deprecated ones included, oldest first.</summary>
    public ApiVersion[] Supported { get; }

    public ApiVersion[] Deprecated { get; }

    public ApiVersion DefaultVersion { get; }

    public bool AssumeDefault { get; }

    public StringValues SupportedHeader { get; }

    public StringValues DeprecatedHeader { get; }

    /// <summary>The supported versions as strings, for the <c>supportedVersions</c> member of an error.</summary>
    public string[] SupportedList { get; }

    public bool IsDeprecated(ApiVersion version) => _deprecations.ContainsKey(version);

    public DeprecationHeaders? DeprecationOf(ApiVersion version) => _deprecations.GetValueOrDefault(version);

    internal sealed class DeprecationHeaders
    {
        public DeprecationHeaders(ApiVersionDeprecation deprecation)
        {
            Deprecation = deprecation;
            if (deprecation.Date is { } date)
            {
                // RFC 9745: an RFC 9651 Date, "@" followed by the seconds since the Unix epoch.
                DeprecationHeader = "@" + date.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            }

            if (deprecation.Sunset is { } sunset)
            {
                // RFC 8594: an HTTP-date (IMF-fixdate), always in English and GMT.
                SunsetHeader = ApiVersionHeaders.FormatHttpDate(sunset);
            }

            var links = new List<string>(2);
            if (deprecation.Link is { } link)
            {
                links.Add($"<{link.OriginalString}>; rel=\"deprecation\"; type=\"text/html\"");
            }

            if (deprecation.SunsetLink is { } sunsetLink)
            {
                links.Add($"<{sunsetLink.OriginalString}>; rel=\"sunset\"; type=\"text/html\"");
            }

            Links = links.Count == 0 ? StringValues.Empty : new StringValues([.. links]);
        }

        public ApiVersionDeprecation Deprecation { get; }

        public StringValues DeprecationHeader { get; }

        public StringValues SunsetHeader { get; }

        public StringValues Links { get; }
    }
}

/// <summary>A deprecated version and what to say about it.</summary>
internal sealed record ApiVersionDeprecation(ApiVersion Version, DateTimeOffset? Date, DateTimeOffset? Sunset, Uri? Link, Uri? SunsetLink);

/// <summary>How an endpoint copy learns its version from the URL.</summary>
internal enum ApiVersionRouteKind
{
    /// <summary>The unversioned copy (<c>/api/employees</c>): header, query, media type or the default.</summary>
    Unversioned,

    /// <summary>A copy for one version (<c>/api/v2/employees</c>).</summary>
    Literal,

    /// <summary>The catch-all copy (<c>/api/{apiVersion}/employees</c>, the segment starting with <c>v</c>) that serves other spellings (<c>v2.0</c>) and rejects unknown versions with 400.</summary>
    Parameter,
}

/// <summary>Endpoint metadata: which versions an endpoint serves and how its route names the version.</summary>
internal sealed class ApiVersionEndpointMetadata(ApiVersionSet set, ApiVersionRouteKind kind, ApiVersion literal, ApiVersion[] handles)
{
    /// <summary>The route parameter of the catch-all copy.</summary>
    public const string RouteParameter = "apiVersion";

    public ApiVersionSet Set { get; } = set;

    public ApiVersionRouteKind Kind { get; } = kind;

    /// <summary>The version of a <see cref="ApiVersionRouteKind.Literal"/> copy.</summary>
    public ApiVersion Literal { get; } = literal;

    /// <summary>The versions this endpoint's handler serves: those given by <c>MapToApiVersion</c>, else all of the set's.</summary>
    public ApiVersion[] Handles { get; } = handles;

    public bool Serves(ApiVersion version) => Array.IndexOf(Handles, version) >= 0;
}

/// <summary>Marks an endpoint as serving only some of its group's versions; added by <c>MapToApiVersion</c>.</summary>
internal sealed record ApiVersionMappingMetadata(ApiVersion Version);

/// <summary>A response body shown only in one version's OpenAPI document; added by <c>ProducesForVersion</c>.</summary>
internal sealed record ApiVersionResponseMetadata(ApiVersion Version, int StatusCode, Type ResponseType);

namespace Microservice.Kit.Versioning;

/// <summary>Where an outgoing request carries its API version.</summary>
public enum ApiVersionLocation
{
    /// <summary>A header: <c>api-version: 2.0</c>.</summary>
    Header,

    /// <summary>A query-string parameter: <c>?api-version=2.0</c>.</summary>
    Query,

    /// <summary>
    /// A URL segment: the placeholder <c>{version}</c> in the request path (<c>api/v{version}/employees</c>) becomes
    /// <c>2</c> (or <c>2.1</c>, <c>2026-11-28</c>).
    /// </summary>
    UrlSegment,
}

/// <summary>The API versions an HTTP client asks for, set with <c>AddApiVersion</c> on its <c>IHttpClientBuilder</c>.</summary>
public sealed class ApiVersionClientOptions
{
    /// <summary>
    /// The versions this client understands, in any order (<c>["3.0", "2.0", "1.0"]</c>). It asks for the highest one
    /// the server supports, as learned from the server's <c>api-supported-versions</c> header; before it knows, the
    /// highest one.
    /// </summary>
    /// <value>The default is empty, which is an error: name at least one version.</value>
    public IList<string> Versions { get; set; } = [];

    /// <summary>Where the version goes.</summary>
    /// <value>The default is <see cref="ApiVersionLocation.Header"/>.</value>
    public ApiVersionLocation Location { get; set; } = ApiVersionLocation.Header;

    /// <summary>The header or query parameter name.</summary>
    /// <value>The default is <c>api-version</c>.</value>
    public string ParameterName { get; set; } = ApiVersioningConstants.DefaultParameterName;

    /// <summary>
    /// Whether to negotiate: learn the server's versions from its responses and, when the server answers 400 to a
    /// version it does not support, retry once with the highest version both sides support. Requests whose content
    /// cannot be sent twice (a plain stream) are not retried.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool Negotiate { get; set; } = true;

    /// <summary>
    /// Called (besides a warning in the log and <see cref="ApiVersionDiscovery.Deprecated"/>) the first time a
    /// response says the version in use is deprecated, and again when it is past its sunset.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Action<ApiDeprecationEventArgs>? OnDeprecated { get; set; }
}

/// <summary>A called service said that the API version in use is deprecated, or past its sunset.</summary>
public sealed class ApiDeprecationEventArgs : EventArgs
{
    /// <summary>Creates the notice.</summary>
    /// <param name="service">The service's scheme, host and port.</param>
    /// <param name="version">The version in use.</param>
    /// <param name="deprecatedOn">From the <c>Deprecation</c> header, if sent.</param>
    /// <param name="sunset">From the <c>Sunset</c> header, if sent.</param>
    /// <param name="isPastSunset">Whether the sunset has passed.</param>
    public ApiDeprecationEventArgs(Uri service, ApiVersion version, DateTimeOffset? deprecatedOn, DateTimeOffset? sunset, bool isPastSunset)
    {
        Service = service;
        Version = version;
        DeprecatedOn = deprecatedOn;
        Sunset = sunset;
        IsPastSunset = isPastSunset;
    }

    /// <summary>The service's scheme, host and port.</summary>
    public Uri Service { get; }

    /// <summary>The version in use.</summary>
    public ApiVersion Version { get; }

    /// <summary>When the version was deprecated (RFC 9745 <c>Deprecation</c>), or <see langword="null"/>.</summary>
    public DateTimeOffset? DeprecatedOn { get; }

    /// <summary>When the version goes away (RFC 8594 <c>Sunset</c>), or <see langword="null"/>.</summary>
    public DateTimeOffset? Sunset { get; }

    /// <summary>Whether the sunset has passed: calls may start failing at any time.</summary>
    public bool IsPastSunset { get; }
}

using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Versioning;

/// <summary>Server-side API versioning, bound from <c>MicroserviceKit:Versioning</c>.</summary>
public sealed class ApiVersioningOptions
{
    /// <summary>The version of a request to an unversioned route that names none.</summary>
    /// <value>The default is <c>1.0</c>.</value>
    [Required]
    public string DefaultVersion { get; set; } = "1.0";

    /// <summary>
    /// Whether a request to an unversioned route that names no version gets <see cref="DefaultVersion"/>. When
    /// <see langword="false"/> such a request is a 400 <c>ApiVersionUnspecified</c>.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool AssumeDefaultVersionWhenUnspecified { get; set; } = true;

    /// <summary>
    /// The versions every versioned route group serves unless it declares its own (deprecated ones included); when
    /// empty, <see cref="DefaultVersion"/> alone. (Empty by default because configuration binding appends to a list.)
    /// </summary>
    /// <value>The default is empty: the default version only.</value>
    public IList<string> SupportedVersions { get; set; } = [];

    /// <summary>
    /// The versions that are deprecated, each with when it was deprecated, when it goes away and where to read
    /// about it. A version listed here is still served and is reported in <c>api-deprecated-versions</c>.
    /// </summary>
    /// <value>The default is empty.</value>
    [ValidateEnumeratedItems]
    public IList<ApiVersionDeprecationOptions> Deprecations { get; set; } = [];

    /// <summary>The request header that carries the version; empty to not read one.</summary>
    /// <value>The default is <c>api-version</c>.</value>
    [RegularExpression("^[A-Za-z0-9!#$%&'*+.^_`|~-]*$", ErrorMessage = "must be a header name (letters, digits and -) or empty")]
    public string HeaderName { get; set; } = ApiVersioningConstants.DefaultParameterName;

    /// <summary>The query-string parameter that carries the version; empty to not read one.</summary>
    /// <value>The default is <c>api-version</c>.</value>
    [RegularExpression("^[A-Za-z0-9._~-]*$", ErrorMessage = "must be a query parameter name (letters, digits, '.', '_', '~', '-') or empty")]
    public string QueryParameterName { get; set; } = ApiVersioningConstants.DefaultParameterName;

    /// <summary>
    /// The media type parameter of <c>Accept</c> and <c>Content-Type</c> that carries the version
    /// (<c>application/json; v=2.0</c>); empty to not read one.
    /// </summary>
    /// <value>The default is <c>v</c>.</value>
    [RegularExpression("^[A-Za-z0-9!#$%&'*+.^_`|~-]*$", ErrorMessage = "must be a media type parameter name or empty")]
    public string MediaTypeParameterName { get; set; } = ApiVersioningConstants.DefaultMediaTypeParameterName;
}

/// <summary>When a version was deprecated, when it goes away and where the details are.</summary>
public sealed class ApiVersionDeprecationOptions
{
    /// <summary>The deprecated version, for example <c>1.0</c>.</summary>
    /// <value>There is no default; it is required.</value>
    [Required]
    public string Version { get; set; } = string.Empty;

    /// <summary>When the version was (or will be) deprecated; sent as <c>Deprecation: @&lt;unix-seconds&gt;</c> (RFC 9745).</summary>
    /// <value>The default is <see langword="null"/>: no <c>Deprecation</c> header, only <c>api-deprecated-versions</c>.</value>
    public DateTimeOffset? Date { get; set; }

    /// <summary>When the version stops being served; sent as <c>Sunset: &lt;HTTP-date&gt;</c> (RFC 8594).</summary>
    /// <value>The default is <see langword="null"/>: no <c>Sunset</c> header.</value>
    public DateTimeOffset? Sunset { get; set; }

    /// <summary>A page about the deprecation; sent as <c>Link: &lt;uri&gt;; rel="deprecation"</c>.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Uri? Link { get; set; }

    /// <summary>A page about the sunset; sent as <c>Link: &lt;uri&gt;; rel="sunset"</c>.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Uri? SunsetLink { get; set; }
}

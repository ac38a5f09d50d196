namespace Microservice.Kit.Versioning;

/// <summary>The names of the headers, parameters and problem codes of API versioning, as they appear on the wire.</summary>
public static class ApiVersioningConstants
{
    /// <summary>The default header and query parameter name: <c>api-version</c>.</summary>
    public const string DefaultParameterName = "api-version";

    /// <summary>The default media type parameter name: <c>v</c>.</summary>
    public const string DefaultMediaTypeParameterName = "v";

    /// <summary>The response header listing every version a route serves: <c>api-supported-versions</c>.</summary>
    public const string SupportedVersionsHeader = "api-supported-versions";

    /// <summary>The response header listing the deprecated versions a route still serves: <c>api-deprecated-versions</c>.</summary>
    public const string DeprecatedVersionsHeader = "api-deprecated-versions";

    /// <summary>The RFC 9745 header: <c>Deprecation: @&lt;unix-seconds&gt;</c>.</summary>
    public const string DeprecationHeader = "Deprecation";

    /// <summary>The RFC 8594 header: <c>Sunset: &lt;HTTP-date&gt;</c>.</summary>
    public const string SunsetHeader = "Sunset";

    /// <summary>400: the request named a version the route does not serve; the body lists <c>supportedVersions</c>.</summary>
    public const string UnsupportedApiVersion = "UnsupportedApiVersion";

    /// <summary>400: the request named a version that is not a version (<c>api-version: two</c>).</summary>
    public const string InvalidApiVersion = "InvalidApiVersion";

    /// <summary>400: the request named two different versions (say URL segment <c>v1</c> and header <c>2.0</c>).</summary>
    public const string AmbiguousApiVersion = "AmbiguousApiVersion";

    /// <summary>400: the request named no version and the service assumes none.</summary>
    public const string ApiVersionUnspecified = "ApiVersionUnspecified";
}

using Microservice.Kit.Versioning;
using Microservice.Kit.Versioning.Internal;

namespace Microsoft.AspNetCore.Http;

/// <summary>Tells a handler which API version its request selected.</summary>
public static class ApiVersionHttpContextExtensions
{
    /// <summary>
    /// The version routing selected for this request (from the URL segment, header, query string, media type or the
    /// default), or <see langword="null"/> when the endpoint is not in a versioned group.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <returns>The version, or <see langword="null"/>.</returns>
    public static ApiVersion? GetRequestedApiVersion(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<ApiVersionFeature>()?.Version;
    }
}

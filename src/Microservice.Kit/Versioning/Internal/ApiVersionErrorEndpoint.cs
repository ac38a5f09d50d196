using Microservice.Kit.Problems;
using Microservice.Kit.Problems.Internal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Versioning.Internal;

/// <summary>
/// The endpoint routing selects when a versioned route exists for the path but no copy serves the request's
/// version. It answers 400 with the problem code that says why; it allows anonymous callers so that a wrong
/// version is reported before, and without, authentication.
/// </summary>
internal static class ApiVersionErrorEndpoint
{
    public static readonly Endpoint Instance = new(
        WriteAsync,
        new EndpointMetadataCollection(new AllowAnonymousAttribute()),
        "API version error");

    internal static KitException Describe(HttpContext httpContext, ApiVersionFeature feature)
    {
        var set = feature.Set!;
        KitException error;
        if (feature.Error == ApiVersionReadStatus.Ambiguous)
        {
            error = new KitException(400, ApiVersioningConstants.AmbiguousApiVersion, "Ambiguous API version",
                "The request names more than one API version (URL segment, header, query string or media type); name one.");
        }
        else if (feature.Error == ApiVersionReadStatus.Invalid)
        {
            var options = httpContext.RequestServices.GetRequiredService<IOptions<ApiVersioningOptions>>().Value;
            var raw = feature.RawSegment ?? ApiVersionReader.From(options).DescribeInvalid(httpContext.Request);
            error = new KitException(400, ApiVersioningConstants.InvalidApiVersion, "Invalid API version",
                $"'{Truncate(raw)}' is not an API version: expected major[.minor][-status] (2.0) or a date (2026-11-28).");
        }
        else if (feature.Unspecified)
        {
            error = new KitException(400, ApiVersioningConstants.ApiVersionUnspecified, "API version required",
                $"This route needs an API version (supported: {string.Join(", ", set.SupportedList)}).");
        }
        else
        {
            error = new KitException(400, ApiVersioningConstants.UnsupportedApiVersion, "Unsupported API version",
                $"API version {feature.Requested} is not supported by this route; supported versions: {string.Join(", ", set.SupportedList)}.");
        }

        error.Extensions["supportedVersions"] = set.SupportedList;
        return error;
    }

    private static async Task WriteAsync(HttpContext httpContext)
    {
        var feature = httpContext.Features.Get<ApiVersionFeature>()!;
        var error = Describe(httpContext, feature);
        var logger = httpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Microservice.Kit.Versioning");
        Log.VersionRejected(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? "/", error.Code);
        VersioningMetrics.Rejected.Add(1, new KeyValuePair<string, object?>("reason", error.Code));
        var problems = httpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
        await ProblemWriter.WriteAsync(httpContext, problems, ProblemFactory.Create(error)).ConfigureAwait(false);
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "...";
}

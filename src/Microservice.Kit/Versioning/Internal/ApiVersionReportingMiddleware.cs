using Microsoft.AspNetCore.Http;

namespace Microservice.Kit.Versioning.Internal;

/// <summary>
/// Routing writes the reporting headers as it selects a versioned endpoint; the exception handler clears the
/// response before it writes a problem, which would drop them from a 404 or 409 of a versioned route. This step,
/// added by <c>UseMicroserviceKit</c>, puts them back just before the response starts when they are missing.
/// </summary>
internal static class ApiVersionReportingMiddleware
{
    private static readonly Func<object, Task> Reapply = static state =>
    {
        var context = (HttpContext)state;
        if (context.Features.Get<ApiVersionFeature>() is { Set: { } set } feature
            && !context.Response.Headers.ContainsKey(ApiVersioningConstants.SupportedVersionsHeader))
        {
            if (feature.Version is { } version)
            {
                ApiVersionMatcherPolicy.Report(context.Response, set, version);
            }
            else
            {
                ApiVersionMatcherPolicy.ReportVersions(context.Response, set);
            }
        }

        return Task.CompletedTask;
    };

    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<ApiVersionFeature>() is { Set: not null })
        {
            context.Response.OnStarting(Reapply, context);
        }

        return next(context);
    }
}

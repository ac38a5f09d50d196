using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Microservice.Kit.Problems.Internal;

/// <summary>Writes a problem document whatever the request's <c>Accept</c> header says.</summary>
internal static class ProblemWriter
{
    public static async ValueTask WriteAsync(HttpContext httpContext, IProblemDetailsService service, ProblemDetails problem, Exception? exception = null)
    {
        ProblemFactory.Complete(problem, httpContext);
        httpContext.Response.StatusCode = problem.Status ?? httpContext.Response.StatusCode;
        var context = new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception };
        if (!await service.TryWriteAsync(context).ConfigureAwait(false))
        {
            // The default writer declines when Accept names no JSON type. An error must still reach the
            // client in a form it can parse, so fall back to writing the document directly.
            await httpContext.Response.WriteAsJsonAsync(problem, typeof(ProblemDetails), options: null, contentType: "application/problem+json", httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}

using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Microservice.Kit.Problems.Internal;

/// <summary>
/// Turns every exception that reaches the exception-handling middleware into an RFC 9457 problem:
/// <see cref="KitException"/> as it says, ASP.NET Core's <see cref="BadHttpRequestException"/> (model binding,
/// malformed JSON, body too large, wrong content type) with its status, and anything else as a 500 that
/// carries no internals outside Development.
/// </summary>
internal sealed class KitExceptionHandler(
    IProblemDetailsService problemDetails,
    IHostEnvironment environment,
    ILogger<KitExceptionHandler> logger) : IExceptionHandler
{
    private static readonly byte[] FallbackProblem = Encoding.UTF8.GetBytes(
        $"{{\"type\":\"{ProblemCodes.TypeFor(ProblemCodes.InternalError)}\",\"title\":\"An unexpected error occurred\",\"status\":500,\"code\":\"{ProblemCodes.InternalError}\"}}");

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        try
        {
            return await HandleAsync(httpContext, exception).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is not OperationCanceledException || !httpContext.RequestAborted.IsCancellationRequested)
        {
            // A handler that throws makes ASP.NET Core rethrow the original exception, and Kestrel then answers a bare
            // 500 with no problem body and the cause only half logged. Whatever went wrong here, both are logged and
            // the client still gets a problem document.
            Log.ExceptionHandlerFailed(logger, failure, httpContext.Request.Method, httpContext.Request.Path.Value ?? "/", exception.GetType().Name);
            if (httpContext.Response.HasStarted)
            {
                return false;
            }

            try
            {
                await WriteFallbackAsync(httpContext).ConfigureAwait(false);
            }
            catch (Exception writeFailure) when (writeFailure is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // The connection is gone or broken: nothing more can reach the client, and the cause is logged.
                Log.ExceptionHandlerFailed(logger, writeFailure, httpContext.Request.Method, httpContext.Request.Path.Value ?? "/", exception.GetType().Name);
            }

            return true;
        }
    }

    private async ValueTask<bool> HandleAsync(HttpContext httpContext, Exception exception)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer and nothing went wrong on our side.
            Log.RequestAborted(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? "/");
            httpContext.Response.StatusCode = 499;
            return true;
        }

        var problem = HasUnusableCharset(httpContext, exception)
            ? ProblemFactory.Create(415, ProblemCodes.UnsupportedMediaType, "Unsupported media type", "The request's charset is not an encoding this service reads; send UTF-8.")
            : Describe(exception, httpContext, environment.IsDevelopment());
        if (problem.Status >= 500)
        {
            Log.UnhandledException(logger, exception, httpContext.Request.Method, httpContext.Request.Path.Value ?? "/", problem.Extensions["code"] as string);
            if (environment.IsDevelopment())
            {
                problem.Extensions["exception"] = exception.ToString();
            }
        }
        else
        {
            Log.ClientError(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? "/", problem.Status ?? 400, problem.Extensions["code"] as string);
        }

        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        if (httpContext.Response.StatusCode == StatusCodes.Status401Unauthorized && !httpContext.Response.Headers.ContainsKey(HeaderNames.WWWAuthenticate))
        {
            // RFC 9110 §15.5.2: a 401 names the scheme that would be accepted.
            httpContext.Response.Headers.WWWAuthenticate = "Bearer";
        }

        if (exception is TooManyRequestsException { RetryAfter: { } retryAfter })
        {
            // Set here, not where it was thrown: the exception middleware clears the response's headers before handlers run.
            httpContext.Response.Headers.RetryAfter = TooManyRequestsException.RetryAfterSeconds(retryAfter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await ProblemWriter.WriteAsync(httpContext, problemDetails, problem, exception).ConfigureAwait(false);
        return true;
    }

    // Written by hand, without the problem details service that may be what failed: the fixed 500 problem.
    private static async Task WriteFallbackAsync(HttpContext httpContext)
    {
        httpContext.Response.Clear();
        httpContext.Response.StatusCode = StatusCodes.Status500InternalServerError;
        httpContext.Response.ContentType = "application/problem+json";
        await httpContext.Response.Body.WriteAsync(FallbackProblem, httpContext.RequestAborted).ConfigureAwait(false);
    }

    internal static ProblemDetails Describe(Exception exception, HttpContext httpContext, bool development) => exception switch
    {
        ValidationException validation => ProblemFactory.Create(validation),
        KitException kit => ProblemFactory.Create(kit),
        BadHttpRequestException bad => FromBadRequest(bad, httpContext, development),
        JsonException json => ProblemFactory.Create(400, ProblemCodes.MalformedJson, "Malformed JSON", JsonDetail(json)),
        _ => ProblemFactory.Create(500, ProblemCodes.InternalError, "An unexpected error occurred", null),
    };

    // ASP.NET Core's JSON body reading throws a bare InvalidOperationException (not a BadHttpRequestException) when
    // the Content-Type names a charset .NET cannot decode ("charset=nonsense"), and lets Encoding's own
    // NotSupportedException through for one it knows but refuses (UTF-7, disabled since .NET 5 as an XSS vector).
    // Both are the client's mistake: 415, not 500. The cause is checked on the request itself rather than by matching
    // the framework's message text, and the check itself never throws. The value is looked up as the readers look it
    // up, quotes included: RequestCharsetMiddleware has already unquoted every value that can be.
    internal static bool HasUnusableCharset(HttpContext httpContext, Exception exception) =>
        exception is InvalidOperationException or NotSupportedException or ArgumentException
        && MediaTypeHeaderValue.TryParse(httpContext.Request.ContentType, out var contentType)
        && contentType.Charset.HasValue
        && !IsUsableCharset(contentType.Charset.ToString());

    /// <summary>Whether .NET can decode <paramref name="charset"/>; <see cref="Encoding.GetEncoding(string)"/> answers with two different exceptions.</summary>
    internal static bool IsUsableCharset(string charset)
    {
        if (charset.Length == 0)
        {
            return false;
        }

        try
        {
            _ = Encoding.GetEncoding(charset);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (NotSupportedException)
        {
            return false;
        }
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException exception, HttpContext httpContext, bool development) =>
        exception.StatusCode == 400 && FindJsonException(exception) is { } json
            ? ProblemFactory.Create(400, ProblemCodes.MalformedJson, "Malformed JSON", JsonDetail(json))
            : FrameworkProblems.FromBadRequest(exception, httpContext, development);

    private static JsonException? FindJsonException(Exception exception)
    {
        for (var current = exception.InnerException; current is not null; current = current.InnerException)
        {
            if (current is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    private static string JsonDetail(JsonException json) =>
        json.Path is { Length: > 0 } path
            ? $"The request body is not valid JSON for this endpoint (at '{path}', line {json.LineNumber}, position {json.BytePositionInLine})."
            : "The request body is not valid JSON for this endpoint.";
}

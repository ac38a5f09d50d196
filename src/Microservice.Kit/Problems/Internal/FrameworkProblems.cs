using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Microservice.Kit.Problems.Internal;

/// <summary>
/// Words the problems ASP.NET Core produces itself (status code pages, routing's 405, minimal APIs' binding failures)
/// as the kit words its own: a sentence-case title, a <c>code</c> and a <c>detail</c> written for the caller. The
/// framework's own messages are written for the service's developer ("Did you mean to use a Service instead?") and
/// name CLR types, so they reach a client only in Development, as <c>developerDetail</c>.
/// </summary>
internal static partial class FrameworkProblems
{
    public const string DeveloperDetailKey = "developerDetail";

    /// <summary>The kit's title for a status: its reason phrase in sentence case ("Method not allowed").</summary>
    public static string Title(int status)
    {
        var phrase = ReasonPhrases.GetReasonPhrase(status);
        if (phrase.Length == 0)
        {
            return status >= 500 ? "Server error" : "Client error";
        }

        var words = phrase.Split(' ');
        for (var i = 1; i < words.Length; i++)
        {
            // Acronyms keep their case: "HTTP version not supported", "URI too long".
            if (!words[i].All(char.IsUpper))
            {
                words[i] = words[i].ToLowerInvariant();
            }
        }

        return string.Join(' ', words);
    }

    /// <summary>
    /// What a caller reads for a bare status that carried no words of its own. Routing answers 405 and 415 through
    /// endpoints of its own that know nothing of the endpoint the client meant, so these words stay general.
    /// </summary>
    public static string Detail(int status) => status switch
    {
        400 => "The request is not valid for this endpoint.",
        401 => "The request needs valid credentials.",
        403 => "The caller may not perform this operation.",
        404 => "The requested resource does not exist.",
        405 => "This resource does not support the request's method; the Allow header lists the methods it does.",
        406 => "The service cannot answer in a media type the request's Accept header allows.",
        408 => "The request did not arrive in time.",
        409 => "The request conflicts with the resource's current state.",
        410 => "The requested resource is gone.",
        411 => "The request needs a Content-Length header.",
        412 => "A precondition of the request does not hold.",
        413 => "The request body is larger than this endpoint accepts.",
        414 => "The request's URI is longer than this service accepts.",
        415 => "The request's content type is not one this endpoint reads; its OpenAPI description lists those it does.",
        416 => "The requested range lies outside the resource.",
        422 => "The request is well-formed but cannot be processed.",
        429 => "Too many requests; try again later.",
        431 => "The request's headers are larger than this service accepts.",
        501 => "The service does not implement this operation.",
        502 => "A service this one depends on answered with an unusable response.",
        503 => "The service is temporarily unavailable; try again later.",
        504 => "A service this one depends on did not answer in time.",
        >= 500 => "The service failed to process the request.",
        _ => "The request could not be processed.",
    };

    /// <summary>
    /// The problem for a <see cref="BadHttpRequestException"/> (Kestrel's limits, minimal APIs' binding with
    /// <c>ThrowOnBadRequest</c>), its detail worked out from the request and the endpoint rather than from the message.
    /// </summary>
    public static ProblemDetails FromBadRequest(BadHttpRequestException exception, HttpContext httpContext, bool development)
    {
        var status = exception.StatusCode;
        var code = ProblemCodes.ForStatus(status) ?? ProblemCodes.BadRequest;
        var problem = ProblemFactory.Create(status, code, Title(status), status switch
        {
            400 => BadRequestDetail(exception, httpContext),
            413 => httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } limit
                ? string.Create(CultureInfo.InvariantCulture, $"The request body is larger than the {limit} bytes this endpoint accepts.")
                : Detail(413),
            415 => Accepted(httpContext) is { Count: > 0 } types
                ? $"This endpoint reads {string.Join(" or ", types)}; send the body in one of them with a matching Content-Type."
                : Detail(415),
            _ => Detail(status),
        });
        if (development)
        {
            problem.Extensions[DeveloperDetailKey] = exception.Message;
        }

        return problem;
    }

    private static string BadRequestDetail(BadHttpRequestException exception, HttpContext httpContext)
    {
        // Minimal APIs name the parameter in their message and nowhere else. Its name is part of the endpoint's HTTP
        // contract (a route, query or header name), so it is worth passing on; the CLR type and the value are not.
        // A message in another shape falls through to what the request itself shows.
        if (RequiredParameter().Match(exception.Message) is { Success: true } required)
        {
            return $"The required value '{required.Groups["name"].Value}' was not provided in the {required.Groups["source"].Value}.";
        }

        if (UnboundParameter().Match(exception.Message) is { Success: true } unbound)
        {
            return $"The value of '{unbound.Groups["name"].Value}' is not in the format this endpoint expects.";
        }

        if (Accepted(httpContext) is { Count: > 0 } types && !HasBody(httpContext.Request))
        {
            return $"This endpoint needs a request body ({string.Join(" or ", types)}).";
        }

        return "The request is not valid for this endpoint: a value is missing or not in the expected format.";
    }

    // The exception handler middleware clears the request's endpoint before handlers run; its feature keeps it.
    private static IReadOnlyList<string>? Accepted(HttpContext httpContext) =>
        (httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint())?.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes;

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    [GeneratedRegex("^Required parameter \"[^\"]* (?<name>[^\" ]+)\" was not provided from (?<source>[a-z ]{1,32})\\.$", RegexOptions.CultureInvariant)]
    private static partial Regex RequiredParameter();

    [GeneratedRegex("^Failed to bind parameter \"[^\"]* (?<name>[^\" ]+)\" from ", RegexOptions.CultureInvariant)]
    private static partial Regex UnboundParameter();
}

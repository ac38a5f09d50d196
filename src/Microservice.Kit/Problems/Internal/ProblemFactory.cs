using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Microservice.Kit.Problems.Internal;

/// <summary>Builds the problem documents the kit sends, so that every one has the same members.</summary>
internal static class ProblemFactory
{
    public static ProblemDetails Create(int status, string code, string title, string? detail) => new()
    {
        Status = status,
        Type = ProblemCodes.TypeFor(code),
        Title = title,
        Detail = detail,
        Extensions = { ["code"] = code },
    };

    public static ProblemDetails Create(KitException exception)
    {
        var problem = Create(exception.StatusCode, exception.Code, exception.Title, exception.Detail);
        foreach (var (key, value) in exception.Extensions)
        {
            problem.Extensions[key] = value;
        }

        return problem;
    }

    public static HttpValidationProblemDetails Create(ValidationException exception)
    {
        var problem = new HttpValidationProblemDetails(exception.Errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal))
        {
            Status = exception.StatusCode,
            Type = ProblemCodes.TypeFor(exception.Code),
            Title = exception.Title,
            Detail = exception.Detail,
            Extensions = { ["code"] = exception.Code },
        };
        foreach (var (key, value) in exception.Extensions)
        {
            problem.Extensions[key] = value;
        }

        return problem;
    }

    /// <summary>
    /// Fills what ASP.NET Core's own problem responses (status code pages, authentication challenges)
    /// leave out, so that a client can rely on <c>code</c> and a kit <c>type</c> on every one.
    /// </summary>
    public static void Complete(ProblemDetails problem, HttpContext httpContext)
    {
        var status = problem.Status ?? httpContext.Response.StatusCode;
        problem.Status ??= status;
        if (!problem.Extensions.TryGetValue("code", out var code) || code is null)
        {
            code = ProblemCodes.ForStatus(status) ?? (status >= 500 ? ProblemCodes.InternalError : ProblemCodes.BadRequest);
            problem.Extensions["code"] = code;
            problem.Type = ProblemCodes.TypeFor((string)code);

            // No code: ASP.NET Core produced this one (status code pages, routing's 405) or the application returned a
            // bare status. The framework titles it with the reason phrase in title case and says nothing more; a title
            // the application chose is kept.
            if (string.IsNullOrEmpty(problem.Title) || problem.Title == Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status))
            {
                problem.Title = FrameworkProblems.Title(status);
            }

            problem.Detail ??= FrameworkProblems.Detail(status);
        }

        if (string.IsNullOrEmpty(problem.Title))
        {
            problem.Title = FrameworkProblems.Title(status);
        }

        if (!problem.Extensions.ContainsKey("traceId"))
        {
            problem.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? httpContext.TraceIdentifier;
        }
    }
}

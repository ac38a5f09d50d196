namespace Microservice.Kit.Problems;

/// <summary>The stable <c>code</c> values the kit itself sends. Clients may switch on them.</summary>
public static class ProblemCodes
{
    /// <summary>400: the request is malformed in a way no more specific code describes.</summary>
    public const string BadRequest = "BadRequest";

    /// <summary>400: the request body is not valid JSON or does not fit the expected shape.</summary>
    public const string MalformedJson = "MalformedJson";

    /// <summary>400: one or more fields failed validation; the <c>errors</c> member lists them.</summary>
    public const string ValidationFailed = "ValidationFailed";

    /// <summary>401: no valid credentials were sent.</summary>
    public const string Unauthorized = "Unauthorized";

    /// <summary>403: the caller is authenticated but lacks a permission.</summary>
    public const string Forbidden = "Forbidden";

    /// <summary>404: the resource or route does not exist.</summary>
    public const string NotFound = "NotFound";

    /// <summary>405: the route exists but not for this method.</summary>
    public const string MethodNotAllowed = "MethodNotAllowed";

    /// <summary>408: the client took too long to send the request.</summary>
    public const string RequestTimeout = "RequestTimeout";

    /// <summary>409: the request conflicts with the current state.</summary>
    public const string Conflict = "Conflict";

    /// <summary>412: a precondition such as <c>If-Match</c> failed.</summary>
    public const string PreconditionFailed = "PreconditionFailed";

    /// <summary>413: the request body is too large.</summary>
    public const string PayloadTooLarge = "PayloadTooLarge";

    /// <summary>415: the content type is not accepted.</summary>
    public const string UnsupportedMediaType = "UnsupportedMediaType";

    /// <summary>431: the request headers are too large.</summary>
    public const string HeadersTooLarge = "HeadersTooLarge";

    /// <summary>507: the storage is full, or a configured quota or free-space reserve would be exceeded; nothing was kept.</summary>
    public const string InsufficientStorage = "InsufficientStorage";

    /// <summary>500: an unexpected error; the details are in the service's log, never in the response.</summary>
    public const string InternalError = "InternalError";

    /// <summary>503: a service this one depends on is unavailable.</summary>
    public const string DependencyUnavailable = "DependencyUnavailable";

    /// <summary>503: the service cannot take the request now.</summary>
    public const string ServiceUnavailable = "ServiceUnavailable";

    /// <summary>The prefix of the <c>type</c> member of every problem the kit writes.</summary>
    public const string TypePrefix = "urn:microservice-kit:problem:";

    /// <summary>Returns the <c>type</c> URI for a code: <c>FileExists</c> becomes <c>urn:microservice-kit:problem:file-exists</c>.</summary>
    /// <param name="code">The machine-readable code.</param>
    /// <returns>The problem type URI.</returns>
    public static string TypeFor(string code)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        var builder = new System.Text.StringBuilder(TypePrefix.Length + code.Length + 4);
        builder.Append(TypePrefix);
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && !char.IsUpper(code[i - 1]))
                {
                    builder.Append('-');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>Returns the code the kit uses for a bare status code.</summary>
    /// <param name="statusCode">An HTTP status code.</param>
    /// <returns>The code, or <see langword="null"/> for a status code the kit has no name for.</returns>
    public static string? ForStatus(int statusCode) => statusCode switch
    {
        400 => BadRequest,
        401 => Unauthorized,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        408 => RequestTimeout,
        409 => Conflict,
        412 => PreconditionFailed,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        431 => HeadersTooLarge,
        500 => InternalError,
        503 => ServiceUnavailable,
        507 => InsufficientStorage,
        _ => null,
    };
}

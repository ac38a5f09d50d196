namespace Microservice.Kit.Problems;

/// <summary>The request was malformed: 400, code <c>BadRequest</c> unless another is given.</summary>
public class BadRequestException : KitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="detail">What was wrong with the request.</param>
    /// <param name="code">The machine-readable code.</param>
    public BadRequestException(string detail, string code = ProblemCodes.BadRequest)
        : base(400, code, "Bad request", detail)
    {
    }
}

/// <summary>The request body failed validation: 400, code <c>ValidationFailed</c>, with an <c>errors</c> member.</summary>
public class ValidationException : KitException
{
    /// <summary>Creates the error from field errors.</summary>
    /// <param name="errors">For each field, in its JSON name, the messages that describe what is wrong with it.</param>
    public ValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(400, ProblemCodes.ValidationFailed, "One or more fields are invalid", "One or more fields are invalid: " + string.Join(", ", (errors ?? throw new ArgumentNullException(nameof(errors))).Keys))
    {
        Errors = errors;
    }

    /// <summary>Creates the error for a single field.</summary>
    /// <param name="field">The field's name as the client sent it.</param>
    /// <param name="message">What is wrong with it.</param>
    public ValidationException(string field, string message)
        : this(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] })
    {
    }

    /// <summary>The messages for each invalid field.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }
}

/// <summary>The resource does not exist: 404, code <c>NotFound</c> unless another is given.</summary>
public class NotFoundException : KitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="detail">What was not found, for example <c>Employee 42 does not exist.</c></param>
    /// <param name="code">The machine-readable code.</param>
    public NotFoundException(string detail, string code = ProblemCodes.NotFound)
        : base(404, code, "Not found", detail)
    {
    }
}

/// <summary>The request conflicts with the resource's state: 409, code <c>Conflict</c> unless another is given.</summary>
public class ConflictException : KitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="detail">What conflicts.</param>
    /// <param name="code">The machine-readable code, for example <c>FileExists</c>.</param>
    /// <param name="innerException">The cause, logged but never sent.</param>
    public ConflictException(string detail, string code = ProblemCodes.Conflict, Exception? innerException = null)
        : base(409, code, "Conflict", detail, innerException)
    {
    }
}

/// <summary>A precondition such as <c>If-Match</c> did not hold: 412, code <c>PreconditionFailed</c>.</summary>
public class PreconditionFailedException : KitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="detail">Which precondition failed.</param>
    public PreconditionFailedException(string detail)
        : base(412, ProblemCodes.PreconditionFailed, "Precondition failed", detail)
    {
    }
}

/// <summary>The request body is larger than the endpoint accepts: 413, code <c>PayloadTooLarge</c>.</summary>
public class PayloadTooLargeException : KitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="detail">The limit that was exceeded.</param>
    public PayloadTooLargeException(string detail)
        : base(413, ProblemCodes.PayloadTooLarge, "Payload too large", detail)
    {
    }
}

/// <summary>The request's content type is not accepted: 415, code <c>UnsupportedMediaType</c>.</summary>
public class UnsupportedMediaTypeException : KitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="detail">What was sent and what is accepted.</param>
    public UnsupportedMediaTypeException(string detail)
        : base(415, ProblemCodes.UnsupportedMediaType, "Unsupported media type", detail)
    {
    }
}

/// <summary>
/// The client sent too many requests (sign-in attempts, for example): 429, code <c>TooManyRequests</c>, with a
/// <c>Retry-After</c> header and a <c>retryAfter</c> member in seconds when <see cref="RetryAfter"/> is set.
/// </summary>
public class TooManyRequestsException : KitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="detail">What was limited.</param>
    /// <param name="retryAfter">When the client may try again; sent rounded up to whole seconds, at least 1.</param>
    public TooManyRequestsException(string detail, TimeSpan? retryAfter)
        : base(429, ProblemCodes.TooManyRequests, "Too many requests", detail)
    {
        RetryAfter = retryAfter;
        if (retryAfter is { } wait)
        {
            Extensions["retryAfter"] = RetryAfterSeconds(wait);
        }
    }

    /// <summary>When the client may try again, or <see langword="null"/> when there is nothing to say.</summary>
    public TimeSpan? RetryAfter { get; }

    // RFC 9110 §10.2.3: delay-seconds is a whole number; rounding down would invite a retry that is refused again.
    internal static long RetryAfterSeconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
}

/// <summary>A service this one depends on could not be reached in time: 503, code <c>DependencyUnavailable</c>.</summary>
public class DependencyUnavailableException : KitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="detail">Which dependency failed, without internal addresses or secrets.</param>
    /// <param name="innerException">The cause, logged but never sent.</param>
    public DependencyUnavailableException(string detail, Exception? innerException = null)
        : base(503, ProblemCodes.DependencyUnavailable, "Dependency unavailable", detail, innerException)
    {
    }
}

/// <summary>
/// The storage cannot take the write: the disk is full, or a store's quota or free-space reserve would be exceeded.
/// 507 (RFC 4918 section 11.5), code <c>InsufficientStorage</c>. Not the client's fault, so never a 4xx; not a bug,
/// so never a 500: the same request succeeds once space is freed.
/// </summary>
public class InsufficientStorageException : KitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="detail">Which limit was reached, without paths or other server details.</param>
    /// <param name="innerException">The cause (the operating system's disk-full error), logged but never sent.</param>
    public InsufficientStorageException(string detail, Exception? innerException = null)
        : base(507, ProblemCodes.InsufficientStorage, "Insufficient storage", detail, innerException)
    {
    }
}

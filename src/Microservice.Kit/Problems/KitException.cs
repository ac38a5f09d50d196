namespace Microservice.Kit.Problems;

/// <summary>
/// An error a service reports to its client. It leaves the service as an RFC 9457
/// <c>application/problem+json</c> document with the given status, a stable machine-readable
/// <see cref="Code"/>, a <see cref="Title"/> and the exception message as <c>detail</c>.
/// </summary>
/// <remarks>
/// The message is sent to the client: never put a secret, a token or internal state in it.
/// Derive from this class for errors of your own, or use the ready-made ones in this namespace.
/// </remarks>
public class KitException : Exception
{
    /// <summary>Creates an error with every part given.</summary>
    /// <param name="statusCode">The HTTP status code, 400 to 599.</param>
    /// <param name="code">A stable machine-readable name such as <c>FileExists</c>: letters and digits only.</param>
    /// <param name="title">A short human-readable summary that does not change from occurrence to occurrence.</param>
    /// <param name="detail">What went wrong this time; sent to the client as <c>detail</c>.</param>
    /// <param name="innerException">The cause, logged but never sent to the client.</param>
    public KitException(int statusCode, string code, string title, string? detail = null, Exception? innerException = null)
        : base(detail ?? title, innerException)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        StatusCode = statusCode;
        Code = code;
        Title = title;
        Detail = detail;
    }

    /// <summary>The HTTP status code of the response.</summary>
    public int StatusCode { get; }

    /// <summary>The stable machine-readable name of the error, sent as the <c>code</c> member.</summary>
    public string Code { get; }

    /// <summary>The short human-readable summary, sent as <c>title</c>.</summary>
    public string Title { get; }

    /// <summary>What went wrong this time, sent as <c>detail</c>; <see langword="null"/> to send none.</summary>
    public string? Detail { get; }

    /// <summary>
    /// Further members of the problem document (for example <c>supportedVersions</c>). Values must be
    /// serializable with System.Text.Json.
    /// </summary>
    public IDictionary<string, object?> Extensions { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);
}

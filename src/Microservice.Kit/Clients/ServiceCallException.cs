using System.Net;
using Microservice.Kit.Problems;

namespace Microservice.Kit.Clients;

/// <summary>Why a call to another service failed.</summary>
public enum ServiceCallFailure
{
    /// <summary>The service answered with a status that is not a success (after any retries).</summary>
    ErrorResponse = 0,

    /// <summary>No connection could be made, or it broke before a response arrived.</summary>
    ConnectionFailed = 1,

    /// <summary>The attempt or total timeout ran out.</summary>
    Timeout = 2,

    /// <summary>The circuit to the service is open after repeated failures: the call was not made.</summary>
    CircuitOpen = 3,

    /// <summary>
    /// The service answered, but with nothing this service can use: a body over
    /// <see cref="ServiceClientOptions.MaxResponseBufferBytes"/>, or a success whose body is in a charset that cannot be
    /// decoded, is not JSON, or does not fit the expected type (nullability included). This service answers
    /// <c>502 DependencyInvalidResponse</c>; the call is not retried, and it does not count towards opening the circuit.
    /// </summary>
    InvalidResponse = 4,

    /// <summary>The client's <see cref="ITokenSource"/> failed to supply a token: the call was not made.</summary>
    TokenUnavailable = 5,

    /// <summary>
    /// The service answered <c>401</c> or <c>403</c> to a call that carried the caller's own token (the client
    /// propagates the incoming token): the service refused the caller, not this service, so this service answers
    /// the caller with the same status instead of <c>503</c>.
    /// </summary>
    CallerNotAuthorized = 6,
}

/// <summary>
/// A call to another service failed. Unless the caller handles it, <c>UseMicroserviceKit</c> answers it as
/// <c>503</c> with code <c>DependencyUnavailable</c> and the called service's name in the <c>service</c> member,
/// or, when the service answered with something unusable (<see cref="ServiceCallFailure.InvalidResponse"/>), as
/// <c>502</c> with code <c>DependencyInvalidResponse</c>. The other exception is <see cref="ServiceCallFailure.CallerNotAuthorized"/>: when the client passed on the caller's
/// own token and the service refused it, the answer is that same <c>401 Unauthorized</c> or <c>403 Forbidden</c>,
/// because the caller, not a dependency outage, is the cause and retrying will not help. The dependency's own
/// answer (status, problem details) is kept here for the caller and the log, never forwarded to this service's client.
/// </summary>
public sealed class ServiceCallException : KitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="serviceName">The name of the called service's client.</param>
    /// <param name="failure">Why the call failed.</param>
    /// <param name="responseStatusCode">The status the service answered, or <see langword="null"/> when it did not answer.</param>
    /// <param name="problemCode">The <c>code</c> member of the service's problem response, if any.</param>
    /// <param name="problemDetail">The <c>detail</c> member of the service's problem response, if any.</param>
    /// <param name="innerException">The cause, logged but never sent.</param>
    public ServiceCallException(
        string serviceName,
        ServiceCallFailure failure,
        HttpStatusCode? responseStatusCode = null,
        string? problemCode = null,
        string? problemDetail = null,
        Exception? innerException = null)
        : base(
            ProblemOf(failure, responseStatusCode).Status,
            ProblemOf(failure, responseStatusCode).Code,
            ProblemOf(failure, responseStatusCode).Title,
            Describe(serviceName, failure, responseStatusCode, problemCode),
            innerException)
    {
        ServiceName = serviceName;
        Failure = failure;
        ResponseStatusCode = responseStatusCode;
        ProblemCode = problemCode;
        ProblemDetail = problemDetail;
        Extensions["service"] = serviceName;

        // Machine-readable, like `code`: a caller can tell an open circuit (back off) from a timeout or a refusal
        // without parsing `detail`. The dependency's own status, code and detail stay on the exception: they may
        // describe its internals.
        Extensions["reason"] = failure switch
        {
            ServiceCallFailure.ErrorResponse => "ErrorResponse",
            ServiceCallFailure.ConnectionFailed => "ConnectionFailed",
            ServiceCallFailure.Timeout => "Timeout",
            ServiceCallFailure.CircuitOpen => "CircuitOpen",
            ServiceCallFailure.InvalidResponse => "InvalidResponse",
            ServiceCallFailure.TokenUnavailable => "TokenUnavailable",
            ServiceCallFailure.CallerNotAuthorized => "CallerNotAuthorized",
            _ => "Unknown",
        };
    }

    /// <summary>The name of the called service's client (<c>employees</c>).</summary>
    public string ServiceName { get; }

    /// <summary>Why the call failed.</summary>
    public ServiceCallFailure Failure { get; }

    /// <summary>The status the service answered, or <see langword="null"/> when no response arrived.</summary>
    public HttpStatusCode? ResponseStatusCode { get; }

    /// <summary>The <c>code</c> member of the service's RFC 9457 problem response, if it sent one.</summary>
    public string? ProblemCode { get; }

    /// <summary>The <c>detail</c> member of the service's RFC 9457 problem response, if it sent one.</summary>
    public string? ProblemDetail { get; }

    // What this service answers: an outage, unless the dependency refused the caller's own credentials or answered
    // with something unusable. RFC 9110 §15.6.3: 502 is "an invalid response from an inbound server"; a client that
    // sees 503 may retry later, one that sees 502 knows the dependency itself misbehaves.
    private static (int Status, string Code, string Title) ProblemOf(ServiceCallFailure failure, HttpStatusCode? status) => failure switch
    {
        ServiceCallFailure.InvalidResponse => (502, ProblemCodes.DependencyInvalidResponse, "Invalid dependency response"),
        ServiceCallFailure.CallerNotAuthorized when status == HttpStatusCode.Unauthorized => (401, ProblemCodes.Unauthorized, "Unauthorized"),
        ServiceCallFailure.CallerNotAuthorized => (403, ProblemCodes.Forbidden, "Forbidden"),
        _ => (503, ProblemCodes.DependencyUnavailable, "Dependency unavailable"),
    };

    // The message becomes this service's problem detail: it names the dependency and what happened, never an
    // address, a token or the dependency's own detail (which may describe its internals).
    private static string Describe(string serviceName, ServiceCallFailure failure, HttpStatusCode? status, string? code)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        return failure switch
        {
            ServiceCallFailure.ErrorResponse when code is not null => $"Service '{serviceName}' answered {(int?)status} ({code}).",
            ServiceCallFailure.ErrorResponse => $"Service '{serviceName}' answered {(int?)status}.",
            ServiceCallFailure.ConnectionFailed => $"Service '{serviceName}' could not be reached.",
            ServiceCallFailure.Timeout => $"Service '{serviceName}' did not answer in time.",
            ServiceCallFailure.CircuitOpen => $"Service '{serviceName}' is failing; calls to it are paused.",
            ServiceCallFailure.InvalidResponse => $"Service '{serviceName}' sent a response that could not be read.",
            ServiceCallFailure.TokenUnavailable => $"No token could be obtained to call service '{serviceName}'.",
            ServiceCallFailure.CallerNotAuthorized when status == HttpStatusCode.Unauthorized => $"Service '{serviceName}' did not accept the caller's credentials.",
            ServiceCallFailure.CallerNotAuthorized => $"Service '{serviceName}' refused the caller's credentials.",
            _ => $"The call to service '{serviceName}' failed.",
        };
    }
}

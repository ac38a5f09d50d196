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

    /// <summary>The service answered with a success whose body could not be read as the expected JSON.</summary>
    InvalidResponse = 4,

    /// <summary>The client's <see cref="ITokenSource"/> failed to supply a token: the call was not made.</summary>
    TokenUnavailable = 5,
}

/// <summary>
/// A call to another service failed. Unless the caller handles it, <c>UseMicroserviceKit</c> answers it as
/// <c>503</c> with code <c>DependencyUnavailable</c> and the called service's name in the <c>service</c> member:
/// the dependency's own answer (status, problem details) is kept here for the caller and the log, never
/// forwarded to this service's client.
/// </summary>
public sealed class ServiceCallException : DependencyUnavailableException
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
        : base(Describe(serviceName, failure, responseStatusCode, problemCode), innerException)
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
            _ => $"The call to service '{serviceName}' failed.",
        };
    }
}

using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Microservice.Kit.Clients.Internal;

/// <summary>Which requests may be retried, and the names the logs and metrics use for failures.</summary>
internal static class RetryRules
{
    /// <summary>POST and PATCH are neither safe nor idempotent (RFC 9110 §9.2): the server may act on each copy.</summary>
    public static bool IsUnsafe(HttpMethod method) =>
        method == HttpMethod.Post || method == HttpMethod.Patch || method == HttpMethod.Connect;

    /// <summary>Idempotent methods may be retried; unsafe ones only with an <c>Idempotency-Key</c> for the server to deduplicate by.</summary>
    public static bool MayRetry(HttpRequestMessage request) =>
        !IsUnsafe(request.Method) || request.Headers.Contains(ServiceClientDefaults.IdempotencyKeyHeader);

    /// <summary>Content that serializes the same bytes every time it is sent.</summary>
    public static bool IsResendable(HttpContent content) =>
        content is ByteArrayContent or ReadOnlyMemoryContent or System.Net.Http.Json.JsonContent;

    public static bool SameAuthority(Uri? target, Uri? configured) =>
        target is not null && configured is not null && target.IsAbsoluteUri && configured.IsAbsoluteUri &&
        Uri.Compare(target, configured, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>The operation as logs show it: method and path, without the query (which may carry secrets).</summary>
    public static string Operation(HttpRequestMessage request) =>
        request.Method.Method + " " + (request.RequestUri is { IsAbsoluteUri: true } uri ? uri.AbsolutePath : request.RequestUri?.OriginalString.Split('?')[0]);

    public static string ReasonOf(Exception exception) => exception switch
    {
        BrokenCircuitException => "circuit_open",
        TimeoutRejectedException => "timeout",
        HttpRequestException { HttpRequestError: var error } => error == HttpRequestError.Unknown ? "connection_failed" : "connection_failed:" + error,
        OperationCanceledException => "canceled",
        _ => exception.GetType().Name,
    };
}

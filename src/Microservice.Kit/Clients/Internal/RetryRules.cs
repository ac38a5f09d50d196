using System.Net;
using Polly.CircuitBreaker;

namespace Microservice.Kit.Clients.Internal;

/// <summary>Which requests and failures may be retried, how long to wait, and the names the logs and metrics use for failures.</summary>
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

    /// <summary>
    /// Whether an attempt failed in a way that may pass: 5xx, 408 or 429, a connection failure, or the attempt
    /// timeout. The caller's cancellation and an open circuit are not, and neither is an answer too large to read: the
    /// service is up and would send the same again. This is also what the circuit breaker counts as a failure.
    /// </summary>
    public static bool IsTransient(HttpResponseMessage? response, Exception? exception) => response is not null
        ? (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        : exception is HttpRequestException or TimeoutException;

    /// <summary>
    /// The delay before retry <paramref name="retry"/> (1 for the first): <paramref name="baseDelay"/> doubled for each
    /// retry after the first, at most <paramref name="maxDelay"/>, and with jitter a uniformly random 75–125 % of that.
    /// </summary>
    public static TimeSpan Backoff(int retry, TimeSpan baseDelay, TimeSpan maxDelay, bool jitter)
    {
        var ticks = Math.Min(baseDelay.Ticks * Math.Pow(2, Math.Min(retry - 1, 30)), maxDelay.Ticks);
        if (jitter)
        {
            ticks = Math.Min(ticks * (0.75 + (Random.Shared.NextDouble() * 0.5)), maxDelay.Ticks);
        }

        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The wait a 429 or 503 asks for in <c>Retry-After</c> (seconds or a date), or <see langword="null"/>.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider timeProvider)
    {
        if (response is null || response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
            || response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        var delay = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - timeProvider.GetUtcNow() : null);
        return delay is { } value && value > TimeSpan.Zero ? value : null;
    }

    public static bool SameAuthority(Uri? target, Uri? configured) =>
        target is not null && configured is not null && target.IsAbsoluteUri && configured.IsAbsoluteUri &&
        Uri.Compare(target, configured, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>The operation as logs show it: method and path, without the query (which may carry secrets).</summary>
    public static string Operation(HttpRequestMessage request) =>
        request.Method.Method + " " + (request.RequestUri is { IsAbsoluteUri: true } uri ? uri.AbsolutePath : request.RequestUri?.OriginalString.Split('?')[0]);

    public static string ReasonOf(Exception exception) => exception switch
    {
        BrokenCircuitException => "circuit_open",
        ResponseTooLargeException => "response_too_large",
        TimeoutException => "timeout",
        HttpRequestException { HttpRequestError: var error } => error == HttpRequestError.Unknown ? "connection_failed" : "connection_failed:" + error,
        OperationCanceledException => "canceled",
        _ => exception.GetType().Name,
    };
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using Microservice.Kit.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace Microservice.Kit.Clients.Internal;

// Each log call below is inside an IsEnabled guard of its level; CA1873 does not recognise the guard.
#pragma warning disable CA1873

/// <summary>
/// The one kit handler of a service client. Once per call it stamps the start, adds the correlation id, the
/// idempotency key and the token, and makes the body re-sendable; then it makes the attempts — each through the
/// circuit of the request's authority, bounded by the attempt timeout and by the time left in the total timeout,
/// its response body read within it — retrying transient failures with backoff; and it turns transport failures
/// into <see cref="ServiceCallException"/>. Handlers added after it (the version handler, the application's own)
/// run on every attempt.
/// </summary>
/// <remarks>
/// The retries and timeouts are this loop rather than Polly strategies: on a loopback call Polly's retry and two
/// timeout strategies (with Microsoft.Extensions.Http.Resilience's handler around them) cost more than a third of
/// the call and 3.5 KB of allocations (docs/performance.md), while the loop needs one timer per attempt and
/// nothing else. The circuit breaker, the part with real state, is Polly's.
/// </remarks>
internal sealed class ServiceCallHandler(
    string serviceName,
    ServiceClientOptions options,
    ServiceClientCircuits circuits,
    ITokenSource? tokenSource,
    IHttpContextAccessor? httpContextAccessor,
    TimeProvider timeProvider,
    ILogger logger) : DelegatingHandler
{
    private readonly Uri? _baseAddress = options.BaseAddress;
    private readonly string? _correlationHeader = string.IsNullOrEmpty(options.CorrelationHeader) ? null : options.CorrelationHeader;
    private readonly string _tokenHeader = options.Token.OutgoingHeader;
    private readonly bool _bearer = string.Equals(options.Token.OutgoingHeader, "Authorization", StringComparison.OrdinalIgnoreCase);
    private readonly ServiceClientRetryOptions _retry = options.Retry;
    private readonly TimeSpan _attemptTimeout = options.AttemptTimeout;
    private readonly TimeSpan _totalTimeout = options.TotalTimeout;
    private readonly long _maxResponseBufferBytes = options.MaxResponseBufferBytes;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        KitDiagnostics.ActivitySource.HasListeners() ? SendTracedAsync(request, cancellationToken) : SendCoreAsync(request, cancellationToken);

    /// <summary>
    /// The call as one span, retries and backoff included: the per-attempt HTTP client spans (and the called
    /// service's server spans) are its children, so a trace shows what one call to the service cost in all.
    /// </summary>
    private async Task<HttpResponseMessage> SendTracedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var method = ClientMetrics.MethodOf(request.Method);
        using var activity = KitDiagnostics.ActivitySource.StartActivity(serviceName + " " + method, ActivityKind.Internal);
        if (activity is null)
        {
            return await SendCoreAsync(request, cancellationToken).ConfigureAwait(false);
        }

        activity.SetTag("microservice_kit.service", serviceName);
        activity.SetTag("http.request.method", method);
        try
        {
            var response = await SendCoreAsync(request, cancellationToken).ConfigureAwait(false);
            activity.SetTag("http.response.status_code", (int)response.StatusCode);
            if ((int)response.StatusCode >= 500)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }

            return response;
        }
        catch (Exception exception)
        {
            activity.SetTag("error.type", exception is ServiceCallException call ? call.Failure.ToString() : exception.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            throw;
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var start = timeProvider.GetTimestamp();
        CopyCorrelationId(request);
        if (options.AddIdempotencyKey && RetryRules.IsUnsafe(request.Method) && !request.Headers.Contains(ServiceClientDefaults.IdempotencyKeyHeader))
        {
            request.Headers.TryAddWithoutValidation(ServiceClientDefaults.IdempotencyKeyHeader, Guid.NewGuid().ToString("N"));
        }

        var noRetry = _retry.MaxRetryAttempts == 0 || !RetryRules.MayRetry(request);
        if (!noRetry && request.Content is { } content && !RetryRules.IsResendable(content))
        {
            if (content.Headers.ContentLength > _retry.MaxBufferedRequestBytes)
            {
                noRetry = true;
            }
            else
            {
                // A stream can be read once; buffered, the same bytes go out on every attempt.
                await content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (tokenSource is not null)
        {
            await AttachTokenAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var stream = request is not TypedServiceCallRequest && request.Options.TryGetValue(ServiceCallState.StreamResponseKey, out var streamed) && streamed;
        var state = new ServiceCallState(request, start, stream, noRetry);
        var circuit = circuits.For(request.RequestUri);
        Outcome<HttpResponseMessage> outcome;
        for (var attempt = 1; ; attempt++)
        {
            // The last attempt gets only what is left of the total timeout; when that is what cuts it short, the
            // call has run out of time and is not retried.
            var left = _totalTimeout - timeProvider.GetElapsedTime(start);
            var lastChance = left <= _attemptTimeout;
            outcome = await AttemptAsync(circuit, state, lastChance ? left : _attemptTimeout, cancellationToken).ConfigureAwait(false);
            if (!ShouldRetry(state, attempt, outcome, lastChance, cancellationToken) || DelayBeforeRetry(state, attempt, outcome) is not { } delay)
            {
                break;
            }

            var reason = outcome.Exception is { } failed
                ? RetryRules.ReasonOf(failed)
                : "status_" + ((int)outcome.Result!.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            ClientMetrics.Retries.Add(1, new TagList { { "service", serviceName }, { "reason", reason } });
            if (logger.IsEnabled(LogLevel.Warning))
            {
                Log.RetryScheduled(logger, serviceName, RetryRules.Operation(request), attempt, (int?)outcome.Result?.StatusCode, reason, (long)delay.TotalMilliseconds);
            }

            outcome.Result?.Dispose();
            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    Record(request, start, "canceled");
                    throw;
                }
            }
        }

        if (outcome.Result is { } response)
        {
            Record(request, start, ((int)response.StatusCode / 100) switch { 2 => "success", 4 => "client_error", 5 => "server_error", _ => "other" });
            return response;
        }

        var exception = outcome.Exception!;
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // The caller gave up (its own request was aborted): not the dependency's fault.
            Record(request, start, "canceled");
            ExceptionDispatchInfo.Throw(exception);
        }

        var failure = Classify(exception);
        if (failure is null)
        {
            // Not a transport failure (a bug in a handler added after this one, say): the caller sees it as it is.
            Record(request, start, exception.GetType().Name);
            ExceptionDispatchInfo.Throw(exception);
        }

        var failureReason = RetryRules.ReasonOf(exception);
        Record(request, start, failureReason);
        if (logger.IsEnabled(LogLevel.Warning))
        {
            Log.CallFailed(logger, serviceName, RetryRules.Operation(request), state.Attempts, failureReason, null);
        }

        throw new ServiceCallException(serviceName, failure.Value, (exception as ResponseTooLargeException)?.Status, innerException: exception);
    }

    private bool ShouldRetry(ServiceCallState state, int attempt, Outcome<HttpResponseMessage> outcome, bool lastChance, CancellationToken cancellationToken) =>
        !state.NoRetry && attempt <= _retry.MaxRetryAttempts && !cancellationToken.IsCancellationRequested
        && RetryRules.IsTransient(outcome.Result, outcome.Exception)
        && !(lastChance && outcome.Exception is TimeoutException);

    /// <summary>The wait before the next attempt, or <see langword="null"/> when it would not fit in the total timeout.</summary>
    private TimeSpan? DelayBeforeRetry(ServiceCallState state, int attempt, Outcome<HttpResponseMessage> outcome)
    {
        var left = _totalTimeout - timeProvider.GetElapsedTime(state.StartTimestamp);
        if (_retry.HonorRetryAfter && RetryRules.RetryAfter(outcome.Result, timeProvider) is { } wait)
        {
            // Waiting longer than the call may last only to be cut off by the total timeout helps nobody: give the
            // caller the service's answer now.
            if (wait >= left)
            {
                if (logger.IsEnabled(LogLevel.Warning))
                {
                    Log.RetryAfterTooLong(logger, serviceName, RetryRules.Operation(state.Request), (long)wait.TotalMilliseconds, (long)Math.Max(0, left.TotalMilliseconds));
                }

                return null;
            }

            return wait;
        }

        // A backoff that uses up the total timeout leaves no time to try again: the last answer stands.
        var delay = RetryRules.Backoff(attempt, _retry.BaseDelay, _retry.MaxDelay, _retry.UseJitter);
        return delay < left ? delay : null;
    }

    /// <summary>
    /// One attempt, through the circuit: sends, reads the body (so that the timeout bounds a slow body too and a body
    /// cut short is retried) and logs. Never throws: failures are the outcome's exception, the timeout a <see cref="TimeoutException"/>.
    /// </summary>
    private async ValueTask<Outcome<HttpResponseMessage>> AttemptAsync(ResiliencePipeline<HttpResponseMessage> circuit, ServiceCallState state, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            ServiceClientCircuits.SetState(context, state);
            return await circuit.ExecuteOutcomeAsync(
                static (context, call) => call.Handler.SendOnceAsync(call.State, call.Timeout, context.CancellationToken),
                context,
                (Handler: this, State: state, Timeout: timeout)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<Outcome<HttpResponseMessage>> SendOnceAsync(ServiceCallState state, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var request = state.Request;
        var attempt = ++state.Attempts;
        var started = timeProvider.GetTimestamp();
        using var deadline = new CancellationTokenSource(timeout > TimeSpan.Zero ? timeout : TimeSpan.FromTicks(1), timeProvider);
        using var caller = cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), deadline);
        HttpResponseMessage? response = null;
        Exception? failure = null;
        try
        {
            response = await base.SendAsync(request, deadline.Token).ConfigureAwait(false);
            if (!state.StreamResponse)
            {
                await BufferAsync(response, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException canceled) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            failure = new TimeoutException(
                $"The attempt to call {serviceName} took longer than {(long)timeout.TotalMilliseconds} ms.", canceled);
        }
        catch (Exception exception)
        {
            failure = exception;
        }

        if (failure is not null)
        {
            response?.Dispose();
            if (logger.IsEnabled(LogLevel.Information))
            {
                Log.AttemptFailed(logger, serviceName, RetryRules.Operation(request), attempt, null,
                    RetryRules.ReasonOf(failure), (long)timeProvider.GetElapsedTime(started).TotalMilliseconds);
            }

            return Outcome.FromException<HttpResponseMessage>(failure);
        }

        var status = (int)response!.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            if (logger.IsEnabled(LogLevel.Debug))
            {
                Log.AttemptSucceeded(logger, serviceName, RetryRules.Operation(request), attempt, status,
                    (long)timeProvider.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        else if (logger.IsEnabled(LogLevel.Information))
        {
            Log.AttemptFailed(logger, serviceName, RetryRules.Operation(request), attempt, status,
                "status_" + status.ToString(System.Globalization.CultureInfo.InvariantCulture), (long)timeProvider.GetElapsedTime(started).TotalMilliseconds);
        }

        return Outcome.FromResult(response);
    }

    /// <summary>
    /// Reads the body into memory, never more than <see cref="ServiceClientOptions.MaxResponseBufferBytes"/> of it: a
    /// declared length over the limit is refused before a byte is read, an undeclared one stops at the limit.
    /// </summary>
    private async ValueTask BufferAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > _maxResponseBufferBytes)
        {
            throw new ResponseTooLargeException(response.StatusCode, _maxResponseBufferBytes, innerException: null);
        }

        try
        {
            await response.Content.LoadIntoBufferAsync(_maxResponseBufferBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
        {
            throw new ResponseTooLargeException(response.StatusCode, _maxResponseBufferBytes, exception);
        }
    }

    private static ServiceCallFailure? Classify(Exception exception) => exception switch
    {
        ResponseTooLargeException => ServiceCallFailure.InvalidResponse,
        BrokenCircuitException => ServiceCallFailure.CircuitOpen,
        TimeoutException => ServiceCallFailure.Timeout,
        HttpRequestException => ServiceCallFailure.ConnectionFailed,
        OperationCanceledException => ServiceCallFailure.Timeout,
        _ => null,
    };

    private void Record(HttpRequestMessage request, long start, string outcome) =>
        ClientMetrics.RecordCall(serviceName, ClientMetrics.MethodOf(request.Method), outcome, timeProvider.GetElapsedTime(start));

    private void CopyCorrelationId(HttpRequestMessage request)
    {
        if (_correlationHeader is null || httpContextAccessor?.HttpContext is not { } context || request.Headers.Contains(_correlationHeader))
        {
            return;
        }

        var value = context.Request.Headers[_correlationHeader].ToString();
        if (value.Length > 0)
        {
            request.Headers.TryAddWithoutValidation(_correlationHeader, value);
        }
    }

    private async ValueTask AttachTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_bearer ? request.Headers.Authorization is not null : request.Headers.Contains(_tokenHeader))
        {
            return;
        }

        if (!RetryRules.SameAuthority(request.RequestUri, _baseAddress))
        {
            // A client configured for one service must never hand its token to another host, whatever URI the
            // caller passed (an absolute URL from a response body, a redirect target).
            if (logger.IsEnabled(LogLevel.Warning))
            {
                Log.TokenWithheld(logger, serviceName, RetryRules.Operation(request), request.RequestUri?.Authority ?? "(none)");
            }

            return;
        }

        string? token;
        try
        {
            token = await tokenSource!.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // An issuer or vault that is down makes the dependency unreachable for us: a 503, not a 500.
            if (logger.IsEnabled(LogLevel.Warning))
            {
                Log.CallFailed(logger, serviceName, RetryRules.Operation(request), 0, "token_unavailable", null);
            }

            throw new ServiceCallException(serviceName, ServiceCallFailure.TokenUnavailable, innerException: exception);
        }

        if (string.IsNullOrEmpty(token))
        {
            return;
        }

        if (_bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else
        {
            request.Headers.TryAddWithoutValidation(_tokenHeader, token);
        }
    }
}

using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Microservice.Kit.Clients.Internal;

/// <summary>
/// The outermost handler of a service client, run once per call (outside the retries): it stamps the call's
/// start, adds the correlation id, the idempotency key and the token, makes the body re-sendable, and turns
/// transport failures into <see cref="ServiceCallException"/>.
/// </summary>
internal sealed class ServiceCallHandler(
    string serviceName,
    ServiceClientOptions options,
    ITokenSource? tokenSource,
    IHttpContextAccessor? httpContextAccessor,
    TimeProvider timeProvider,
    ILogger logger) : DelegatingHandler
{
    private readonly Uri? _baseAddress = options.BaseAddress;
    private readonly string? _correlationHeader = string.IsNullOrEmpty(options.CorrelationHeader) ? null : options.CorrelationHeader;
    private readonly string _tokenHeader = options.Token.OutgoingHeader;
    private readonly bool _bearer = string.Equals(options.Token.OutgoingHeader, "Authorization", StringComparison.OrdinalIgnoreCase);
    private readonly bool _retries = options.Retry.MaxRetryAttempts > 0;
    private readonly long _maxBuffered = options.Retry.MaxBufferedRequestBytes;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var state = ServiceCallState.For(request);
        state.StartTimestamp = timeProvider.GetTimestamp();

        CopyCorrelationId(request);
        if (options.AddIdempotencyKey && RetryRules.IsUnsafe(request.Method) && !request.Headers.Contains(ServiceClientDefaults.IdempotencyKeyHeader))
        {
            request.Headers.TryAddWithoutValidation(ServiceClientDefaults.IdempotencyKeyHeader, Guid.NewGuid().ToString("N"));
        }

        state.NoRetry = !_retries || !RetryRules.MayRetry(request);
        if (!state.NoRetry && request.Content is { } content && !RetryRules.IsResendable(content))
        {
            if (content.Headers.ContentLength > _maxBuffered)
            {
                state.NoRetry = true;
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

        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Record(request, state, ((int)response.StatusCode / 100) switch { 2 => "success", 4 => "client_error", 5 => "server_error", _ => "other" });
            return response;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up (its own request was aborted): not the dependency's fault.
            Record(request, state, "canceled");
            throw;
        }
        catch (Exception exception) when (Classify(exception) is { } failure)
        {
            var reason = RetryRules.ReasonOf(exception);
            Record(request, state, reason);
            if (logger.IsEnabled(LogLevel.Warning))
            {
                Log.CallFailed(logger, serviceName, RetryRules.Operation(request), state.Attempts, reason, null);
            }

            throw new ServiceCallException(serviceName, failure, innerException: exception);
        }
    }

    private static ServiceCallFailure? Classify(Exception exception) => exception switch
    {
        BrokenCircuitException => ServiceCallFailure.CircuitOpen,
        TimeoutRejectedException => ServiceCallFailure.Timeout,
        HttpRequestException => ServiceCallFailure.ConnectionFailed,
        OperationCanceledException => ServiceCallFailure.Timeout,
        _ => null,
    };

    private void Record(HttpRequestMessage request, ServiceCallState state, string outcome) =>
        ClientMetrics.RecordCall(serviceName, request.Method.Method, outcome, timeProvider.GetElapsedTime(state.StartTimestamp));

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

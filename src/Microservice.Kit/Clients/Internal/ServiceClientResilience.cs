using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Microservice.Kit.Clients.Internal;

// Every log call below is guarded by IsEnabled (or is a rare state change); the analyzer does not see through the lambdas.
#pragma warning disable CA1873

/// <summary>
/// Composes a client's pipeline, outermost first: total timeout, retry, circuit breaker, attempt timeout — the
/// order of Microsoft.Extensions.Http.Resilience's standard handler, so that every attempt (not every call)
/// counts towards the circuit, and an open circuit fails the call at once instead of being retried.
/// </summary>
internal static class ServiceClientResilience
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, string serviceName, ServiceClientOptions options, TimeProvider timeProvider, ILogger logger)
    {
        builder.AddTimeout(new TimeoutStrategyOptions { Name = "total", Timeout = options.TotalTimeout });

        if (options.Retry.MaxRetryAttempts > 0)
        {
            builder.AddRetry(CreateRetry(serviceName, options, timeProvider, logger));
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            Name = "circuit",
            FailureRatio = options.CircuitBreaker.FailureRatio,
            MinimumThroughput = options.CircuitBreaker.MinimumThroughput,
            SamplingDuration = options.CircuitBreaker.SamplingDuration,
            BreakDuration = options.CircuitBreaker.BreakDuration,
            ShouldHandle = args => new ValueTask<bool>(HttpClientResiliencePredicates.IsTransient(args.Outcome)),
            OnOpened = args =>
            {
                ClientMetrics.CircuitTransitions.Add(1, new TagList { { "service", serviceName }, { "state", "open" } });
                Log.CircuitOpened(logger, serviceName, AuthorityOf(args.Context), (long)args.BreakDuration.TotalMilliseconds);
                return default;
            },
            OnHalfOpened = args =>
            {
                ClientMetrics.CircuitTransitions.Add(1, new TagList { { "service", serviceName }, { "state", "half_open" } });
                Log.CircuitHalfOpened(logger, serviceName, AuthorityOf(args.Context));
                return default;
            },
            OnClosed = args =>
            {
                ClientMetrics.CircuitTransitions.Add(1, new TagList { { "service", serviceName }, { "state", "closed" } });
                Log.CircuitClosed(logger, serviceName, AuthorityOf(args.Context));
                return default;
            },
        });

        builder.AddTimeout(new TimeoutStrategyOptions { Name = "attempt", Timeout = options.AttemptTimeout });
    }

    private static RetryStrategyOptions<HttpResponseMessage> CreateRetry(string serviceName, ServiceClientOptions options, TimeProvider timeProvider, ILogger logger)
    {
        var retry = options.Retry;
        var total = options.TotalTimeout;
        return new RetryStrategyOptions<HttpResponseMessage>
        {
            Name = "retry",
            MaxRetryAttempts = retry.MaxRetryAttempts,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = retry.UseJitter,
            Delay = retry.BaseDelay,
            MaxDelay = retry.MaxDelay,
            ShouldHandle = args =>
            {
                if (!HttpClientResiliencePredicates.IsTransient(args.Outcome))
                {
                    return new ValueTask<bool>(false);
                }

                var request = args.Context.GetRequestMessage();
                if (request is null || ServiceCallState.For(request) is { NoRetry: true })
                {
                    return new ValueTask<bool>(false);
                }

                if (retry.HonorRetryAfter && RetryAfterOf(args.Outcome.Result, timeProvider) is { } wait)
                {
                    // Waiting longer than the call may last only to be cut off by the total timeout helps nobody:
                    // give the caller the service's answer now.
                    var left = total - timeProvider.GetElapsedTime(ServiceCallState.For(request).StartTimestamp);
                    if (wait >= left)
                    {
                        if (logger.IsEnabled(LogLevel.Warning))
                        {
                            Log.RetryAfterTooLong(logger, serviceName, RetryRules.Operation(request), (long)wait.TotalMilliseconds, (long)Math.Max(0, left.TotalMilliseconds));
                        }

                        return new ValueTask<bool>(false);
                    }
                }

                return new ValueTask<bool>(true);
            },
            DelayGenerator = args => new ValueTask<TimeSpan?>(
                retry.HonorRetryAfter ? RetryAfterOf(args.Outcome.Result, timeProvider) : null),
            OnRetry = args =>
            {
                var reason = args.Outcome.Exception is { } exception
                    ? RetryRules.ReasonOf(exception)
                    : "status_" + ((int)args.Outcome.Result!.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                ClientMetrics.Retries.Add(1, new TagList { { "service", serviceName }, { "reason", reason } });
                if (logger.IsEnabled(LogLevel.Warning))
                {
                    var request = args.Context.GetRequestMessage();
                    Log.RetryScheduled(logger, serviceName, request is null ? "(unknown)" : RetryRules.Operation(request), args.AttemptNumber + 1,
                        (int?)args.Outcome.Result?.StatusCode, reason, (long)args.RetryDelay.TotalMilliseconds);
                }

                return default;
            },
        };
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage? response, TimeProvider timeProvider)
    {
        if (response is null || response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
            || response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        var delay = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - timeProvider.GetUtcNow() : null);
        return delay is { } value && value > TimeSpan.Zero ? value : null;
    }

    private static string AuthorityOf(ResilienceContext context) =>
        context.GetRequestMessage()?.RequestUri?.Authority ?? "(unknown)";
}

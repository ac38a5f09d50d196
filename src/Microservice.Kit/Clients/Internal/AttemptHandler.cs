using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Clients.Internal;

// Each log call below is inside an IsEnabled guard of its level; CA1873 does not recognise the guard.
#pragma warning disable CA1873

/// <summary>
/// Runs inside the retry and the attempt timeout, once per attempt: numbers and logs the attempt, and reads the
/// response body within it so that the attempt timeout bounds a slow body too and a body cut short is retried.
/// </summary>
internal sealed class AttemptHandler(string serviceName, TimeProvider timeProvider, ILogger logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var state = ServiceCallState.For(request);
        var attempt = ++state.Attempts;
        var started = timeProvider.GetTimestamp();
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!state.StreamResponse)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            response?.Dispose();
            if (logger.IsEnabled(LogLevel.Information))
            {
                Log.AttemptFailed(logger, serviceName, RetryRules.Operation(request), attempt, null,
                    RetryRules.ReasonOf(exception), (long)timeProvider.GetElapsedTime(started).TotalMilliseconds);
            }

            throw;
        }

        var status = (int)response.StatusCode;
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

        return response;
    }
}

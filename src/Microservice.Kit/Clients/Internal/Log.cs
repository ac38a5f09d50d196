using Microservice.Kit.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Clients.Internal;

/// <summary>The Clients feature's log events. Operations are logged as method and path, never the query or a token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = KitEventIds.Clients + 1, EventName = "AttemptSucceeded", Level = LogLevel.Debug,
        Message = "Call to {Service} {Operation} attempt {Attempt} answered {Status} in {ElapsedMs} ms")]
    public static partial void AttemptSucceeded(ILogger logger, string service, string operation, int attempt, int status, long elapsedMs);

    [LoggerMessage(EventId = KitEventIds.Clients + 2, EventName = "AttemptFailed", Level = LogLevel.Information,
        Message = "Call to {Service} {Operation} attempt {Attempt} failed with status {Status}, reason {Reason}, in {ElapsedMs} ms")]
    public static partial void AttemptFailed(ILogger logger, string service, string operation, int attempt, int? status, string reason, long elapsedMs);

    [LoggerMessage(EventId = KitEventIds.Clients + 3, EventName = "RetryScheduled", Level = LogLevel.Warning,
        Message = "Retrying call to {Service} {Operation} after attempt {Attempt} (status {Status}, reason {Reason}) in {DelayMs} ms")]
    public static partial void RetryScheduled(ILogger logger, string service, string operation, int attempt, int? status, string reason, long delayMs);

    [LoggerMessage(EventId = KitEventIds.Clients + 4, EventName = "CallFailed", Level = LogLevel.Warning,
        Message = "Call to {Service} {Operation} failed after {Attempts} attempt(s): reason {Reason}, status {Status}")]
    public static partial void CallFailed(ILogger logger, string service, string operation, int attempts, string reason, int? status);

    [LoggerMessage(EventId = KitEventIds.Clients + 5, EventName = "CircuitOpened", Level = LogLevel.Warning,
        Message = "Circuit to {Service} ({Authority}) opened for {BreakMs} ms after repeated failures")]
    public static partial void CircuitOpened(ILogger logger, string service, string authority, long breakMs);

    [LoggerMessage(EventId = KitEventIds.Clients + 6, EventName = "CircuitHalfOpened", Level = LogLevel.Information,
        Message = "Circuit to {Service} ({Authority}) half-open: letting a trial call through")]
    public static partial void CircuitHalfOpened(ILogger logger, string service, string authority);

    [LoggerMessage(EventId = KitEventIds.Clients + 7, EventName = "CircuitClosed", Level = LogLevel.Information,
        Message = "Circuit to {Service} ({Authority}) closed: the service answers again")]
    public static partial void CircuitClosed(ILogger logger, string service, string authority);

    [LoggerMessage(EventId = KitEventIds.Clients + 8, EventName = "TokenWithheld", Level = LogLevel.Warning,
        Message = "Call to {Service} {Operation} goes to {Authority}, not the configured service; no token attached")]
    public static partial void TokenWithheld(ILogger logger, string service, string operation, string authority);

    [LoggerMessage(EventId = KitEventIds.Clients + 9, EventName = "RetryAfterTooLong", Level = LogLevel.Warning,
        Message = "Call to {Service} {Operation} asked to retry after {RetryAfterMs} ms, more than the {LeftMs} ms left in the total timeout; not retried")]
    public static partial void RetryAfterTooLong(ILogger logger, string service, string operation, long retryAfterMs, long leftMs);
}

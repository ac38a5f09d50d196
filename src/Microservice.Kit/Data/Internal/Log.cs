using Microservice.Kit.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Data.Internal;

/// <summary>The Data feature's log events: one per repository operation, with <c>operation</c>, <c>status</c> and <c>reason</c>.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = KitEventIds.Data + 1, EventName = "DataOperationSucceeded", Level = LogLevel.Debug,
        Message = "Data {Operation} on {Collection}: {Status}")]
    public static partial void OperationSucceeded(ILogger logger, string operation, string collection, string status);

    [LoggerMessage(EventId = KitEventIds.Data + 2, EventName = "DataOperationRejected", Level = LogLevel.Information,
        Message = "Data {Operation} on {Collection}: {Status} ({Reason})")]
    public static partial void OperationRejected(ILogger logger, string operation, string collection, string status, string reason);

    [LoggerMessage(EventId = KitEventIds.Data + 3, EventName = "DataOperationFailed", Level = LogLevel.Error,
        Message = "Data {Operation} on {Collection}: {Status} ({Reason})")]
    public static partial void OperationFailed(ILogger logger, string operation, string collection, string status, string reason, Exception exception);

    [LoggerMessage(EventId = KitEventIds.Data + 4, EventName = "DataIndexesEnsured", Level = LogLevel.Debug,
        Message = "Data indexes ensured on {Collection}: {Count}")]
    public static partial void IndexesEnsured(ILogger logger, string collection, int count);

    [LoggerMessage(EventId = KitEventIds.Data + 5, EventName = "DataDatabaseReopened", Level = LogLevel.Warning,
        Message = "Data {Operation}: {Status}, the database was closed by {Reason} and works again")]
    public static partial void DatabaseReopened(ILogger logger, string operation, string status, string reason);

    [LoggerMessage(EventId = KitEventIds.Data + 6, EventName = "DataDatabaseReopenFailed", Level = LogLevel.Error,
        Message = "Data {Operation}: {Status} ({Reason}); the next attempt waits a second")]
    public static partial void DatabaseReopenFailed(ILogger logger, string operation, string status, string reason, Exception exception);
}

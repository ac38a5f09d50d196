using Microsoft.Extensions.Logging;

namespace Microservice.Kit.S3.Files.Internal;

/// <summary>The S3 provider's log events (ids 4500-4599, the S3 part of the Files range). File ids and counts are logged; keys of credentials, hosts and exception texts are not.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4501, EventName = "S3ForeignObject", Level = LogLevel.Warning,
        Message = "Object of file {FileId} has no file store metadata and is treated as absent (operation {Operation})")]
    public static partial void ForeignObject(ILogger logger, string fileId, string operation);

    [LoggerMessage(EventId = 4502, EventName = "S3CleanUpFailed", Level = LogLevel.Warning,
        Message = "Could not remove the unfinished upload {Key}; the next start removes it (operation {Operation}, reason {Reason})")]
    public static partial void CleanUpFailed(ILogger logger, string key, string operation, string reason);

    [LoggerMessage(EventId = 4503, EventName = "S3AbandonedUploadsRemoved", Level = LogLevel.Warning,
        Message = "Removed {Count} unfinished upload(s) left in file store {Store} by an earlier run (operation {Operation})")]
    public static partial void AbandonedUploadsRemoved(ILogger logger, int count, string store, string operation);

    [LoggerMessage(EventId = 4504, EventName = "S3StartUnavailable", Level = LogLevel.Warning,
        Message = "File store {Store} could not reach the object store on start; it is not ready until it can (operation {Operation}, reason {Reason})")]
    public static partial void StartUnavailable(ILogger logger, string store, string operation, string reason);
}

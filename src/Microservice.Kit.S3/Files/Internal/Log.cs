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

    [LoggerMessage(EventId = 4505, EventName = "S3UploadRemoved", Level = LogLevel.Information,
        Message = "Removed the unfinished multipart upload of {Key} ({Reason}; operation {Operation})")]
    public static partial void AbandonedUploadRemoved(ILogger logger, string key, string reason, string operation);

    [LoggerMessage(EventId = 4506, EventName = "S3ContentObjectRemoved", Level = LogLevel.Information,
        Message = "Removed the content object {Key}, which no file names ({Reason}; operation {Operation})")]
    public static partial void AbandonedObjectRemoved(ILogger logger, string key, string reason, string operation);

    [LoggerMessage(EventId = 4507, EventName = "S3InstanceLeaseLost", Level = LogLevel.Warning,
        Message = "File store {Store} lost its instance lease with the arbiter and takes it again (operation {Operation})")]
    public static partial void InstanceLeaseLost(ILogger logger, string store, string operation);
}

using Microservice.Kit.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Files.Internal;

/// <summary>The Files feature's log events (ids 4000-4999). File ids are logged; content and names are not.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = KitEventIds.Files + 1, EventName = "FileWritten", Level = LogLevel.Information,
        Message = "File {FileId} written: {Size} bytes, {ContentType} (operation {Operation}, status {Status})")]
    public static partial void FileWritten(ILogger logger, string fileId, long size, string contentType, string operation, string status);

    [LoggerMessage(EventId = KitEventIds.Files + 2, EventName = "FileWriteRejected", Level = LogLevel.Information,
        Message = "File {FileId} not written (operation {Operation}, status {Status}, reason {Reason})")]
    public static partial void FileWriteRejected(ILogger logger, string fileId, string operation, string status, string reason);

    [LoggerMessage(EventId = KitEventIds.Files + 3, EventName = "FileDeleted", Level = LogLevel.Information,
        Message = "File {FileId} deleted (operation {Operation}, status {Status})")]
    public static partial void FileDeleted(ILogger logger, string fileId, string operation, string status);

    [LoggerMessage(EventId = KitEventIds.Files + 4, EventName = "TempFilesCleaned", Level = LogLevel.Warning,
        Message = "Removed {Count} unfinished upload(s) left in {Root} by an earlier run (operation {Operation})")]
    public static partial void TempFilesCleaned(ILogger logger, int count, string root, string operation);

    [LoggerMessage(EventId = KitEventIds.Files + 5, EventName = "CorruptFile", Level = LogLevel.Warning,
        Message = "File {FileId} has no readable metadata header and is treated as absent (operation {Operation}, reason {Reason})")]
    public static partial void CorruptFile(ILogger logger, string fileId, string operation, string reason);

    [LoggerMessage(EventId = KitEventIds.Files + 6, EventName = "UploadRejected", Level = LogLevel.Information,
        Message = "Upload rejected (operation {Operation}, status {Status}, reason {Reason})")]
    public static partial void UploadRejected(ILogger logger, string operation, int status, string reason);

    [LoggerMessage(EventId = KitEventIds.Files + 7, EventName = "FileStoreStarted", Level = LogLevel.Information,
        Message = "File store {Backend} ready at {Root}")]
    public static partial void FileStoreStarted(ILogger logger, string backend, string root);
}

using Microservice.Kit.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Problems.Internal;

internal static partial class Log
{
    [LoggerMessage(EventId = KitEventIds.Problems + 1, EventName = "UnhandledException", Level = LogLevel.Error,
        Message = "Request {Method} {Path} failed with an unhandled exception; answered with code {Code}")]
    public static partial void UnhandledException(ILogger logger, Exception exception, string method, string path, string? code);

    [LoggerMessage(EventId = KitEventIds.Problems + 2, EventName = "ClientError", Level = LogLevel.Information,
        Message = "Request {Method} {Path} answered {Status} with code {Code}")]
    public static partial void ClientError(ILogger logger, string method, string path, int status, string? code);

    [LoggerMessage(EventId = KitEventIds.Problems + 3, EventName = "RequestAborted", Level = LogLevel.Debug,
        Message = "Request {Method} {Path} was aborted by the client")]
    public static partial void RequestAborted(ILogger logger, string method, string path);

    [LoggerMessage(EventId = KitEventIds.Problems + 40, EventName = "ExceptionHandlerFailed", Level = LogLevel.Error,
        Message = "Request {Method} {Path}: answering its {OriginalException} failed; answered a plain 500 problem instead")]
    public static partial void ExceptionHandlerFailed(ILogger logger, Exception exception, string method, string path, string originalException);
}

using Microservice.Kit.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Versioning.Internal;

internal static partial class Log
{
    [LoggerMessage(EventId = KitEventIds.Versioning + 1, EventName = "ApiVersionRejected", Level = LogLevel.Information,
        Message = "Request {Method} {Path} rejected: {Reason}")]
    public static partial void VersionRejected(ILogger logger, string method, string path, string reason);

    [LoggerMessage(EventId = KitEventIds.Versioning + 101, EventName = "DeprecatedApiCalled", Level = LogLevel.Warning,
        Message = "Service {Service} deprecated API version {Version} (deprecated {Deprecation}, sunset {Sunset}); operation {Operation}")]
    public static partial void DeprecatedApiCalled(ILogger logger, string service, ApiVersion version, DateTimeOffset? deprecation, DateTimeOffset? sunset, string operation);

    [LoggerMessage(EventId = KitEventIds.Versioning + 102, EventName = "SunsetApiCalled", Level = LogLevel.Error,
        Message = "Service {Service} API version {Version} is past its sunset {Sunset}; operation {Operation}")]
    public static partial void SunsetApiCalled(ILogger logger, string service, ApiVersion version, DateTimeOffset? sunset, string operation);

    [LoggerMessage(EventId = KitEventIds.Versioning + 103, EventName = "ApiVersionNegotiated", Level = LogLevel.Information,
        Message = "Service {Service} supports {Supported}; using API version {Version}")]
    public static partial void Negotiated(ILogger logger, string service, string supported, ApiVersion version);

    [LoggerMessage(EventId = KitEventIds.Versioning + 104, EventName = "ApiVersionRetry", Level = LogLevel.Information,
        Message = "Service {Service} rejected API version {Rejected}; retrying once with {Version}; operation {Operation}, status {Status}, reason {Reason}")]
    public static partial void Retrying(ILogger logger, string service, ApiVersion rejected, ApiVersion version, string operation, int status, string reason);
}

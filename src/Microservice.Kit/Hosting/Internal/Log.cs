using Microservice.Kit.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Hosting.Internal;

/// <summary>The Hosting feature's log events; the pattern every feature's <c>Log</c> class follows.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = KitEventIds.Hosting + 1, EventName = "KitStarted", Level = LogLevel.Information,
        Message = "Microservice.Kit started for service {ServiceName}")]
    public static partial void KitStarted(ILogger logger, string serviceName);
}

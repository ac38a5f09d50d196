using System.Diagnostics.Metrics;
using Microservice.Kit.Diagnostics;

namespace Microservice.Kit.Versioning.Internal;

/// <summary>The versioning feature's instruments on the kit's one meter.</summary>
internal static class VersioningMetrics
{
    /// <summary>Requests answered with a version error, tagged <c>reason</c> (the problem code).</summary>
    public static readonly Counter<long> Rejected = KitDiagnostics.Meter.CreateCounter<long>(
        "microservice_kit.versioning.rejected", unit: "{request}", description: "Requests rejected for their API version");

    /// <summary>Client retries with a negotiated version.</summary>
    public static readonly Counter<long> ClientRetries = KitDiagnostics.Meter.CreateCounter<long>(
        "microservice_kit.versioning.client.retries", unit: "{request}", description: "Outgoing requests retried with a negotiated API version");
}

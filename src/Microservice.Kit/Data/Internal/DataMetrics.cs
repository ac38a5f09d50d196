using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microservice.Kit.Diagnostics;

namespace Microservice.Kit.Data.Internal;

/// <summary>Repository metrics: how many operations by outcome, and how long they took.</summary>
internal static class DataMetrics
{
    private static readonly Counter<long> Operations = KitDiagnostics.Meter.CreateCounter<long>(
        "microservice_kit.data.operations", unit: "{operation}", description: "Repository operations, by collection, operation and status.");

    private static readonly Histogram<double> Duration = KitDiagnostics.Meter.CreateHistogram<double>(
        "microservice_kit.data.operation.duration", unit: "s", description: "How long repository operations took, waiting for the concurrency gate included.");

    /// <summary>Whether anyone listens; when no one does, operations skip reading the clock.</summary>
    public static bool Enabled => Operations.Enabled || Duration.Enabled;

    public static void Record(string collection, string operation, string status, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { "collection", collection },
            { "operation", operation },
            { "status", status },
        };
        Operations.Add(1, tags);
        Duration.Record(elapsed.TotalSeconds, tags);
    }
}

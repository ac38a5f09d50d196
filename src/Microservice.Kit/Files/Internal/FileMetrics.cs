using System.Diagnostics.Metrics;
using Microservice.Kit.Diagnostics;

namespace Microservice.Kit.Files.Internal;

/// <summary>The Files feature's instruments on the kit's one meter, tagged with the store's name and its provider.</summary>
internal static class FileMetrics
{
    private static readonly Counter<long> Operations = KitDiagnostics.Meter.CreateCounter<long>(
        "microservice_kit.files.operations", unit: "{operation}", description: "File store operations by store, operation and status.");

    private static readonly Counter<long> BytesWritten = KitDiagnostics.Meter.CreateCounter<long>(
        "microservice_kit.files.bytes_written", unit: "By", description: "Content bytes stored.");

    private static readonly Counter<long> BytesServed = KitDiagnostics.Meter.CreateCounter<long>(
        "microservice_kit.files.bytes_read", unit: "By", description: "Content bytes read from the store.");

    public static void Operation(string operation, string status, string store, string backend) =>
        Operations.Add(1, new("operation", operation), new("status", status), new("store", store), new("backend", backend));

    public static void Written(long bytes, string store, string backend) =>
        BytesWritten.Add(bytes, new("store", store), new("backend", backend));

    public static void BytesRead(long bytes, string backend)
    {
        if (bytes > 0)
        {
            BytesServed.Add(bytes, new KeyValuePair<string, object?>("backend", backend));
        }
    }
}

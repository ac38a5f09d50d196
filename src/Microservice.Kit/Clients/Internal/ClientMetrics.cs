using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microservice.Kit.Diagnostics;

namespace Microservice.Kit.Clients.Internal;

/// <summary>The Clients feature's instruments, on the kit's one meter.</summary>
internal static class ClientMetrics
{
    public static readonly Counter<long> Calls = KitDiagnostics.Meter.CreateCounter<long>(
        "microservice_kit.clients.calls", unit: "{call}", description: "Calls made by service clients, by service, method and outcome.");

    public static readonly Histogram<double> Duration = KitDiagnostics.Meter.CreateHistogram<double>(
        "microservice_kit.clients.duration", unit: "s", description: "Duration of service client calls, retries included.");

    public static readonly Counter<long> Retries = KitDiagnostics.Meter.CreateCounter<long>(
        "microservice_kit.clients.retries", unit: "{retry}", description: "Retries made by service clients, by service and reason.");

    public static readonly Counter<long> CircuitTransitions = KitDiagnostics.Meter.CreateCounter<long>(
        "microservice_kit.clients.circuit_transitions", unit: "{transition}", description: "Circuit breaker state changes, by service and new state (open, half_open, closed).");

    /// <summary>The circuits of every live service client, observed by <see cref="CircuitState"/>.</summary>
    private static readonly ConcurrentDictionary<ServiceClientCircuits, byte> Circuits = new();

    public static readonly ObservableGauge<int> CircuitState = KitDiagnostics.Meter.CreateObservableGauge(
        "microservice_kit.clients.circuit_state", ObserveCircuits, unit: "{state}",
        description: "State of each service client circuit, by service and authority: 0 closed, 1 open, 2 half-open, 3 isolated.");

    public static void Track(ServiceClientCircuits circuits) => Circuits.TryAdd(circuits, 0);

    public static void Untrack(ServiceClientCircuits circuits) => Circuits.TryRemove(circuits, out _);

    private static IEnumerable<Measurement<int>> ObserveCircuits()
    {
        foreach (var circuits in Circuits.Keys)
        {
            foreach (var (authority, state) in circuits.States())
            {
                yield return new Measurement<int>((int)state, new TagList { { "service", circuits.ServiceName }, { "authority", authority } });
            }
        }
    }

    /// <summary>
    /// The method as a metric or span attribute: the standard methods as they are, any other as <c>_OTHER</c>
    /// (OpenTelemetry's HTTP conventions), so that a caller cannot mint a new time series per made-up method.
    /// </summary>
    public static string MethodOf(HttpMethod method)
    {
        var name = method.Method;
        return name switch
        {
            "GET" or "POST" or "PUT" or "DELETE" or "PATCH" or "HEAD" or "OPTIONS" or "TRACE" or "CONNECT" or "QUERY" => name,
            _ => "_OTHER",
        };
    }

    public static void RecordCall(string service, string method, string outcome, TimeSpan elapsed)
    {
        if (Calls.Enabled)
        {
            var tags = new TagList { { "service", service }, { "method", method }, { "outcome", outcome } };
            Calls.Add(1, tags);
        }

        if (Duration.Enabled)
        {
            var tags = new TagList { { "service", service }, { "method", method }, { "outcome", outcome } };
            Duration.Record(elapsed.TotalSeconds, tags);
        }
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Microservice.Kit.Diagnostics;

/// <summary>
/// The names under which Microservice.Kit emits traces, metrics and logs, for configuring OpenTelemetry
/// (<c>AddSource(KitDiagnostics.Name)</c>, <c>AddMeter(KitDiagnostics.Name)</c>).
/// </summary>
public static class KitDiagnostics
{
    /// <summary>The name of the kit's <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string Name = "Microservice.Kit";

    private static readonly string? Version =
        typeof(KitDiagnostics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>The one activity source of the package; every feature starts its activities here.</summary>
    internal static readonly ActivitySource ActivitySource = new(Name, Version);

    /// <summary>The one meter of the package; every feature creates its instruments here.</summary>
    internal static readonly Meter Meter = new(Name, Version);
}

using System.Reflection;
using Microservice.Kit.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Instrumentation.AspNetCore;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microservice.Kit.Hosting.Internal;

/// <summary>
/// Wires OpenTelemetry the way Aspire's service defaults do, with the kit's sources and service name: what every
/// provider collects is configured always, a provider is created only when something exports.
/// </summary>
internal static class KitTelemetry
{
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string SdkDisabled = "OTEL_SDK_DISABLED";
    public const string ServiceNameVariable = "OTEL_SERVICE_NAME";
    public const string ResourceAttributesVariable = "OTEL_RESOURCE_ATTRIBUTES";

    private static readonly string[] EndpointVariables =
    [
        OtlpEndpoint,
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    ];

    public static void Add(IServiceCollection services, IConfiguration? configuration)
    {
        // ConfigureOpenTelemetry*Provider only describes a provider: nothing is created, and no ActivityListener or
        // MeterListener exists, until something (the OTLP exporter below, the Prometheus package, the user's own
        // AddOpenTelemetry()) asks for one. So a service that exports nothing pays nothing per request.
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .ConfigureResource(AddServiceResource)
            .AddSource(KitDiagnostics.Name)
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation());
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .ConfigureResource(AddServiceResource)
            .AddMeter(KitDiagnostics.Name)
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation());
        services.ConfigureOpenTelemetryLoggerProvider(logging => logging.ConfigureResource(AddServiceResource));

        // Probes and scrapes arrive every few seconds from every replica: as spans they drown the traces people look for.
        services.AddOptions<AspNetCoreTraceInstrumentationOptions>()
            .Configure<IOptionsMonitor<MicroserviceKitOptions>>((options, kit) =>
            {
                var previous = options.Filter;
                options.Filter = context =>
                {
                    var health = kit.CurrentValue.Health;
                    var path = context.Request.Path;
                    return !path.Equals(new PathString(health.LivePath), StringComparison.OrdinalIgnoreCase)
                        && !path.Equals(new PathString(health.ReadyPath), StringComparison.OrdinalIgnoreCase)
                        && (previous is null || previous(context));
                };
            });

        if (IsOtlpConfigured(configuration))
        {
            services.AddOpenTelemetry()
                .WithTracing()
                .WithMetrics()
                .WithLogging(configureBuilder: null, configureOptions: logging =>
                {
                    logging.IncludeFormattedMessage = true;
                    logging.IncludeScopes = true;
                })
                .UseOtlpExporter();
        }
    }

    /// <summary>
    /// Whether an OTLP endpoint is configured by the standard variables (read through configuration, where the host
    /// puts environment variables, else from the environment) and the SDK is not disabled by <c>OTEL_SDK_DISABLED</c>.
    /// </summary>
    public static bool IsOtlpConfigured(IConfiguration? configuration)
    {
        if (string.Equals(Read(configuration, SdkDisabled), "true", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return EndpointVariables.Any(name => !string.IsNullOrWhiteSpace(Read(configuration, name)));
    }

    private static string? Read(IConfiguration? configuration, string name) =>
        configuration?[name] ?? Environment.GetEnvironmentVariable(name);

    private static void AddServiceResource(ResourceBuilder resource) =>
        resource.AddDetector(provider => new ServiceResourceDetector(
            provider.GetService<IOptions<MicroserviceKitOptions>>(), provider.GetService<IConfiguration>()));

    /// <summary>
    /// <c>service.name</c> is the kit's service name unless the standard variables name the service: the
    /// OpenTelemetry specification gives <c>OTEL_SERVICE_NAME</c> the last word.
    /// </summary>
    private sealed class ServiceResourceDetector(IOptions<MicroserviceKitOptions>? options, IConfiguration? configuration) : IResourceDetector
    {
        public Resource Detect()
        {
            var attributes = new Dictionary<string, object>(StringComparer.Ordinal);
            var named = !string.IsNullOrWhiteSpace(Read(configuration, ServiceNameVariable))
                || (Read(configuration, ResourceAttributesVariable)?.Contains("service.name=", StringComparison.Ordinal) ?? false);
            if (!named && options?.Value.ServiceName is { Length: > 0 } serviceName)
            {
                attributes["service.name"] = serviceName;
            }

            if (Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion is { Length: > 0 } version)
            {
                // The build metadata (+commit) is kept: it tells which build of the service answered.
                attributes["service.version"] = version;
            }

            return new Resource(attributes);
        }
    }
}

using Microservice.Kit.Hosting;
using Microservice.Kit.Prometheus;
using Microservice.Kit.Prometheus.Internal;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Instrumentation.AspNetCore;
using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds a Prometheus scraping endpoint to a kit service.</summary>
public static class PrometheusKitBuilderExtensions
{
    /// <summary>
    /// Serves the service's metrics (the kit's, ASP.NET Core's, HttpClient's and the runtime's) in Prometheus' text
    /// format at <see cref="PrometheusEndpointOptions.Path"/> (<c>/metrics</c>), options bound from
    /// <c>MicroserviceKit:Prometheus</c>. The endpoint is answered first in the pipeline, needs no mapping call and
    /// is kept out of traces.
    /// </summary>
    /// <param name="kit">The kit's builder.</param>
    /// <returns>The kit's builder.</returns>
    public static IMicroserviceKitBuilder AddPrometheusEndpoint(this IMicroserviceKitBuilder kit)
    {
        ArgumentNullException.ThrowIfNull(kit);
        return AddCore(kit, configure: null);
    }

    /// <summary>Adds the Prometheus scraping endpoint, its options bound from <c>MicroserviceKit:Prometheus</c> and then set in code.</summary>
    /// <param name="kit">The kit's builder.</param>
    /// <param name="configure">Sets the options after configuration is bound.</param>
    /// <returns>The kit's builder.</returns>
    public static IMicroserviceKitBuilder AddPrometheusEndpoint(this IMicroserviceKitBuilder kit, Action<PrometheusEndpointOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(kit, configure);
    }

    private static IMicroserviceKitBuilder AddCore(IMicroserviceKitBuilder kit, Action<PrometheusEndpointOptions>? configure)
    {
        var services = kit.Services;
        var options = services.AddOptions<PrometheusEndpointOptions>();
        if (kit.Configuration is { } section)
        {
            options.Bind(section.GetSection(PrometheusEndpointOptions.SectionName));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(PrometheusMarker)))
        {
            return kit;
        }

        services.AddSingleton<PrometheusMarker>();
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PrometheusEndpointOptions>, PrometheusEndpointOptionsValidator>());

        // The kit describes what the meter provider collects; asking for a reader here is what creates it.
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, PrometheusStartupFilter>());

        // A scrape every few seconds from every Prometheus server is not a request anyone wants to see in a trace.
        services.AddOptions<AspNetCoreTraceInstrumentationOptions>()
            .Configure<IOptionsMonitor<PrometheusEndpointOptions>>((trace, prometheus) =>
            {
                var previous = trace.Filter;
                trace.Filter = context =>
                    !context.Request.Path.Equals(new PathString(prometheus.CurrentValue.Path), StringComparison.OrdinalIgnoreCase)
                    && (previous is null || previous(context));
            });
        return kit;
    }
}

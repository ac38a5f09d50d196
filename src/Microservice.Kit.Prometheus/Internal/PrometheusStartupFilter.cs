using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Prometheus.Internal;

/// <summary>Answers scrapes ahead of the application's pipeline, so that no mapping call can be forgotten.</summary>
internal sealed class PrometheusStartupFilter(IOptions<PrometheusEndpointOptions> options) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseOpenTelemetryPrometheusScrapingEndpoint(options.Value.Path);
        next(app);
    };
}

/// <summary>Marks that the endpoint was added, so that adding it twice registers it once.</summary>
internal sealed class PrometheusMarker;

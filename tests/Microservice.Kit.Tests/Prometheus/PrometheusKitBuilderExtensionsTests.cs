using System.Diagnostics;
using System.Net;
using Microservice.Kit.Prometheus;
using Microservice.Kit.Tests.Hosting;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace Microservice.Kit.Tests.Prometheus;

[Collection(TelemetryListeners.Name)]
public sealed class PrometheusKitBuilderExtensionsTests
{
    [Fact]
    public void Options_Defaults_PathIsMetrics()
    {
        Assert.Equal("/metrics", new PrometheusEndpointOptions().Path);
    }

    [Fact]
    public async Task Options_PathWithoutSlash_FailsOnStartNamingTheKey()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["MicroserviceKit:Prometheus:Path"] = "metrics";
        builder.AddMicroserviceKit().AddPrometheusEndpoint();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Path", error.Message, StringComparison.Ordinal);
        Assert.Contains("must be a path that starts with '/'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoint_ServesKitAndAspNetCoreMetricsInPrometheusFormat_AndIsNotTraced()
    {
        var spans = new List<Activity>();
        await using var host = await KestrelTestHost.StartAsync(
            builder =>
            {
                builder.Services.AddOpenTelemetry().WithTracing(t => t.AddInMemoryExporter(spans));
                builder.AddMicroserviceKit(o => o.ServiceName = "scraped")
                    .AddApiVersioning()
                    .AddPrometheusEndpoint(o => o.Path = "/scrape");
            },
            app =>
            {
                app.UseMicroserviceKit();
                app.MapKitEndpoints();
                app.MapGet("/hello", () => "hi");
                app.MapVersionedGroup("/api", v => v.HasVersion(1.0)).MapGet("/ping", () => "pong");
            });

        using var hello = await host.Client.GetAsync(new Uri("/hello", UriKind.Relative));
        using var rejected = await host.Client.GetAsync(new Uri("/api/v9/ping", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        using var scrape = await host.Client.GetAsync(new Uri("/scrape", UriKind.Relative));
        var text = await scrape.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("microservice_kit_versioning_rejected", text, StringComparison.Ordinal);
        host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        await Task.Delay(200);
        lock (spans)
        {
            Assert.Contains(spans, a => a.GetTagItem("url.path") as string == "/hello");
            Assert.DoesNotContain(spans, a => a.GetTagItem("url.path") as string == "/scrape");
        }
    }
}

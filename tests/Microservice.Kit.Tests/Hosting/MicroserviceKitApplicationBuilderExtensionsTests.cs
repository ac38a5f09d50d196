using System.Net;
using System.Text.Json;
using Microservice.Kit.Hosting;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Microservice.Kit.Tests.Hosting;

public sealed class MicroserviceKitApplicationBuilderExtensionsTests
{
    [Fact]
    public async Task UseMicroserviceKit_WithoutAddMicroserviceKit_ThrowsNamingTheMissingCall()
    {
        var builder = WebApplication.CreateBuilder();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.UseMicroserviceKit());

        Assert.Contains("app.UseMicroserviceKit()", error.Message, StringComparison.Ordinal);
        Assert.Contains("builder.AddMicroserviceKit()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapKitEndpoints_WithoutAddMicroserviceKit_ThrowsNamingTheMissingCall()
    {
        var builder = WebApplication.CreateBuilder();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapKitEndpoints());

        Assert.Contains("builder.AddMicroserviceKit()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthEndpoints_Healthy_Answer200WithStatus()
    {
        await using var host = await KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit(),
            app =>
            {
                app.UseMicroserviceKit();
                app.MapKitEndpoints();
            });

        using var live = await host.Client.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var ready = await host.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ReadyEndpoint_UnhealthyReadyCheck_Answers503ButLiveStays200()
    {
        await using var host = await KestrelTestHost.StartAsync(
            builder =>
            {
                builder.AddMicroserviceKit();
                builder.Services.AddHealthChecks().AddCheck("database", () => HealthCheckResult.Unhealthy("down: secret=hunter2"), [KitHealthTags.Ready]);
            },
            app =>
            {
                app.UseMicroserviceKit();
                app.MapKitEndpoints();
            });

        using var live = await host.Client.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var ready = await host.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var body = await ready.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("\"database\":\"Unhealthy\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthEndpoints_ConfiguredPaths_AreUsed()
    {
        await using var host = await KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit(o => o.Health.LivePath = "/alive"),
            app =>
            {
                app.UseMicroserviceKit();
                app.MapKitEndpoints();
            });

        using var alive = await host.Client.GetAsync(new Uri("/alive", UriKind.Relative));
        using var old = await host.Client.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using Microservice.Kit.Versioning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Tests.Versioning;

/// <summary>An in-process service shaped like the Employees sample: v1 and v2, v1 deprecated with dates.</summary>
internal sealed class VersionedApp : IAsyncDisposable
{
    public static readonly DateTimeOffset DeprecatedOn = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset SunsetOn = new(2027, 6, 30, 0, 0, 0, TimeSpan.Zero);

    private VersionedApp(WebApplication app)
    {
        App = app;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public static async Task<VersionedApp> StartAsync(Action<ApiVersioningOptions>? configure = null, Action<IEndpointRouteBuilder>? map = null, Action<Microservice.Kit.Hosting.IMicroserviceKitBuilder>? kit = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var kitBuilder = builder.AddMicroserviceKit().AddApiVersioning(options =>
        {
            options.Deprecations.Add(new ApiVersionDeprecationOptions
            {
                Version = "1.0",
                Date = DeprecatedOn,
                Sunset = SunsetOn,
                Link = new Uri("https://docs.example/v1-deprecation"),
            });
            configure?.Invoke(options);
        });
        kit?.Invoke(kitBuilder);
        var app = builder.Build();
        app.UseMicroserviceKit();
        if (map is null)
        {
            MapEmployees(app);
        }
        else
        {
            map(app);
        }

        app.MapKitEndpoints();
        await app.StartAsync();
        return new VersionedApp(app);
    }

    public static void MapEmployees(IEndpointRouteBuilder app)
    {
        var api = app.MapVersionedGroup("/api", v => v.HasVersion(2.0).HasDeprecatedVersion(1.0));
        api.MapGet("/employees/{id:int}", (int id, ApiVersion version) => Results.Ok(new { id, name = "Ada", address = "Here", pictureId = "p1", version = version.ToString() }))
            .MapToApiVersion(1.0);
        api.MapGet("/employees/{id:int}", (int id, HttpContext context) => Results.Ok(new { id, name = "Ada", address = "Here", email = "ada@example.org", department = "R&D", pictureUrl = "/p1", version = context.GetRequestedApiVersion()!.Value.ToString() }))
            .MapToApiVersion(2.0);
        api.MapGet("/ping", (ApiVersion version) => version.ToString());
        api.MapPost("/echo", (ApiVersion version) => version.ToString());
    }

    public static void MapEndpointsAlongside(IEndpointRouteBuilder endpoints)
    {
        MapEmployees(endpoints);
        endpoints.MapGet("/plain", (HttpContext context) => context.GetRequestedApiVersion()?.ToString() ?? "none");
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

using System.Text.Json.Nodes;
using Microservice.Kit.Hosting;
using Microservice.Kit.Versioning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Tests.Infrastructure;

/// <summary>
/// An in-process service with one OpenAPI document (<c>/openapi/v1.json</c>, through <c>AddVersionedOpenApi</c>, which
/// holds the unversioned endpoints too), for tests of what the kit's features add to any OpenAPI document.
/// </summary>
internal static class OpenApiTestApp
{
    public static async Task<JsonObject> DocumentAsync(Action<IMicroserviceKitBuilder> kit, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var kitBuilder = builder.AddMicroserviceKit();
        kit(kitBuilder);
        kitBuilder.AddApiVersioning().AddVersionedOpenApi(configure: null, new ApiVersion(1, 0));
        await using var app = builder.Build();
        app.UseMicroserviceKit();
        map(app);
        app.MapKitEndpoints();
        await app.StartAsync();
        try
        {
            using var client = app.GetTestClient();
            return JsonNode.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!.AsObject();
        }
        finally
        {
            await app.StopAsync();
        }
    }

    /// <summary>The operation object of <paramref name="method"/> on <paramref name="path"/>.</summary>
    public static JsonObject Operation(this JsonObject document, string method, string path) =>
        document["paths"]![path]![method]!.AsObject();

    /// <summary>The declared response statuses of an operation, sorted.</summary>
    public static List<string> Statuses(this JsonObject operation) =>
        [.. operation["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal)];

    /// <summary>The media types a response declares.</summary>
    public static List<string> MediaTypes(this JsonObject operation, string status) =>
        [.. (operation["responses"]![status]!["content"] as JsonObject ?? []).Select(c => c.Key)];
}

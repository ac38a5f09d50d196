using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microservice.Kit.Versioning;
using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Tests.Versioning;

public sealed class ApiVersionOpenApiTests
{
    [Fact]
    public async Task EachVersion_HasItsOwnDocument_WithOnlyItsOperations()
    {
        await using var app = await VersionedApp.StartAsync(
            o => o.SupportedVersions = ["1.0", "2.0"],
            kit: kit => kit.AddVersionedOpenApi());

        var v1 = await app.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var v2 = await app.Client.GetFromJsonAsync<JsonElement>("/openapi/v2.json");

        Assert.Equal("1.0", v1.GetProperty("info").GetProperty("version").GetString());
        Assert.Equal("2.0", v2.GetProperty("info").GetProperty("version").GetString());
        Assert.Equal(["/api/v1/employees/{id}", "/api/v1/ping"], Paths(v1).Where(p => !p.Contains("echo", StringComparison.Ordinal)));
        Assert.Equal(["/api/v2/employees/{id}", "/api/v2/ping"], Paths(v2).Where(p => !p.Contains("echo", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task DeprecatedVersion_OperationsAreMarkedDeprecated()
    {
        await using var app = await VersionedApp.StartAsync(
            o => o.SupportedVersions = ["1.0", "2.0"],
            kit: kit => kit.AddVersionedOpenApi());

        var v1 = await app.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var v2 = await app.Client.GetFromJsonAsync<JsonElement>("/openapi/v2.json");

        Assert.All(Operations(v1), op => Assert.True(op.TryGetProperty("deprecated", out var d) && d.GetBoolean()));
        Assert.All(Operations(v2), op => Assert.False(op.TryGetProperty("deprecated", out var d) && d.GetBoolean()));
        Assert.NotEmpty(Operations(v1));
    }

    [Fact]
    public async Task ExplicitVersions_AreDocumented_AndUnknownDocumentsAre404()
    {
        await using var app = await VersionedApp.StartAsync(kit: kit => kit.AddVersionedOpenApi(null, new ApiVersion(1, 0), new ApiVersion(2, 0)));

        using var v2 = await app.Client.GetAsync("/openapi/v2.json");
        using var v3 = await app.Client.GetAsync("/openapi/v3.json");

        Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, v3.StatusCode);
    }

    private static List<string> Paths(JsonElement document) =>
        [.. document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    private static List<JsonElement> Operations(JsonElement document) =>
        [.. document.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject()).Select(o => o.Value).Where(v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("responses", out _))];
}

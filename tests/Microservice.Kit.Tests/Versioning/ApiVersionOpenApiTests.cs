using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microservice.Kit.Versioning;
using Microsoft.AspNetCore.Builder;
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

    [Fact]
    public async Task ProducesForVersion_EachDocumentShowsItsOwnVersionsShape()
    {
        await using var app = await VersionedApp.StartAsync(
            map: endpoints =>
            {
                var api = endpoints.MapVersionedGroup("/api", v => v.HasVersion(2.0).HasDeprecatedVersion(1.0));
                api.MapGet("/people/{id:int}", (int id) => Microsoft.AspNetCore.Http.Results.Ok())
                    .ProducesForVersion(new ApiVersion(1, 0), 200, typeof(PersonV1))
                    .ProducesForVersion(new ApiVersion(2, 0), 200, typeof(PersonV2));
            },
            kit: kit => kit.AddVersionedOpenApi(null, new ApiVersion(1, 0), new ApiVersion(2, 0)));

        var v1 = await app.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var v2 = await app.Client.GetFromJsonAsync<JsonElement>("/openapi/v2.json");

        Assert.Equal("#/components/schemas/PersonV1", ResponseSchemaRef(v1, "/api/v1/people/{id}"));
        Assert.Equal("#/components/schemas/PersonV2", ResponseSchemaRef(v2, "/api/v2/people/{id}"));
        Assert.True(v2.GetProperty("components").GetProperty("schemas").GetProperty("PersonV2").GetProperty("properties").TryGetProperty("email", out _));
        Assert.False(v1.GetProperty("components").GetProperty("schemas").TryGetProperty("PersonV2", out _));
    }

    private static string? ResponseSchemaRef(JsonElement document, string path) =>
        document.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();

    internal sealed record PersonV1(int Id, string Name);

    internal sealed record PersonV2(int Id, string Name, string? Email);

    private static List<string> Paths(JsonElement document) =>
        [.. document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    private static List<JsonElement> Operations(JsonElement document) =>
        [.. document.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject()).Select(o => o.Value).Where(v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("responses", out _))];
}

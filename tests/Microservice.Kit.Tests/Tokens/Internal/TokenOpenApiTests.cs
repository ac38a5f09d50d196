using System.Text.Json.Nodes;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Tests.Tokens.Internal;

public sealed class TokenOpenApiTests
{
    [Fact]
    public async Task Document_DeclaresBearerAndTheTokenHeader_AsSecuritySchemes()
    {
        var document = await DocumentAsync(tokenHeader: "X-Auth-Header");

        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("http", schemes["Bearer"]!["type"]!.GetValue<string>());
        Assert.Equal("bearer", schemes["Bearer"]!["scheme"]!.GetValue<string>());
        Assert.Equal("JWT", schemes["Bearer"]!["bearerFormat"]!.GetValue<string>());
        Assert.Equal("apiKey", schemes["X-Auth-Header"]!["type"]!.GetValue<string>());
        Assert.Equal("header", schemes["X-Auth-Header"]!["in"]!.GetValue<string>());
        Assert.Equal("X-Auth-Header", schemes["X-Auth-Header"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Document_WithoutATokenHeader_DeclaresBearerOnly()
    {
        var document = await DocumentAsync(tokenHeader: null);

        Assert.Equal(["Bearer"], document["components"]!["securitySchemes"]!.AsObject().Select(s => s.Key));
        Assert.Equal(["Bearer"], Alternatives(document.Operation("get", "/employees")));
    }

    [Fact]
    public async Task PermissionEndpoint_DeclaresEitherScheme_And401And403Problems()
    {
        var operation = (await DocumentAsync(tokenHeader: "X-Auth-Header")).Operation("get", "/employees");

        Assert.Equal(["Bearer", "X-Auth-Header"], Alternatives(operation));
        Assert.Equal(["200", "401", "403"], operation.Statuses());
        Assert.Equal(["application/problem+json"], operation.MediaTypes("401"));
        Assert.Equal("#/components/schemas/ProblemDetails", operation["responses"]!["403"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public async Task AuthenticatedOnlyEndpoint_Declares401_But403CannotHappen()
    {
        var operation = (await DocumentAsync(tokenHeader: null)).Operation("get", "/me");

        Assert.Equal(["200", "401"], operation.Statuses());
    }

    [Fact]
    public async Task AnonymousEndpoint_DeclaresNoSecurity()
    {
        var operation = (await DocumentAsync(tokenHeader: null)).Operation("get", "/open");

        Assert.Null(operation["security"]);
        Assert.Equal(["200"], operation.Statuses());
    }

    [Fact]
    public async Task EndpointThatDeclares401Itself_KeepsItsOwnResponse()
    {
        var operation = (await DocumentAsync(tokenHeader: null)).Operation("get", "/own401");

        // Its own declaration (no body) stands: the kit does not overwrite what an endpoint says about itself.
        Assert.Empty(operation.MediaTypes("401"));
    }

    private static List<string> Alternatives(JsonObject operation) =>
        [.. operation["security"]!.AsArray().SelectMany(r => r!.AsObject().Select(s => s.Key)).Order(StringComparer.Ordinal)];

    private static Task<JsonObject> DocumentAsync(string? tokenHeader) =>
        OpenApiTestApp.DocumentAsync(
            kit => kit.AddTokenIssuer().AddTokenValidation(options => options.TokenHeader = tokenHeader),
            app =>
            {
                app.MapGet("/employees", () => "list").RequirePermission("emp.list");
                app.MapGet("/me", () => "me").RequireAuthorization();
                app.MapGet("/open", () => "open").AllowAnonymous();
                app.MapGet("/own401", () => "own").RequireAuthorization().Produces(StatusCodes.Status401Unauthorized);
            });
}

using System.Net;
using System.Text;
using System.Text.Json;
using Microservice.Kit.Problems;
using Microservice.Kit.Problems.Internal;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Microservice.Kit.Tests.Problems.Internal;

/// <summary>Problems ASP.NET Core produces itself leave the service worded like the kit's own, on a real server.</summary>
public sealed class FrameworkProblemsTests
{
    public sealed record Payload(string Name);

    private static Task<KestrelTestHost> StartAsync(string environment = "Production") => KestrelTestHost.StartAsync(
        builder => builder.AddMicroserviceKit(),
        app =>
        {
            app.UseMicroserviceKit();
            app.MapPost("/json", (Payload body) => Results.Ok(body));
            app.MapGet("/number", (int value) => Results.Ok(value));
            app.MapGet("/only-get", () => Results.Ok());
        },
        environment);

    [Fact]
    public async Task JsonEndpoint_SentPlainText_Is415InKitStyle()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.PostAsync(new Uri("/json", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "text/plain"));
        var problem = await ReadProblemAsync(response, HttpStatusCode.UnsupportedMediaType, ProblemCodes.UnsupportedMediaType);

        Assert.Equal("Unsupported media type", problem.GetProperty("title").GetString());
        // Routing's own 415 endpoint answers, so the detail is general but says what to do.
        Assert.Equal("The request's content type is not one this endpoint reads; its OpenAPI description lists those it does.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task JsonEndpoint_NoBody_Is400WithUserFacingDetailAndNoDeveloperText()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.PostAsync(new Uri("/json", UriKind.Relative), new StringContent(string.Empty, Encoding.UTF8, "application/json"));
        var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.BadRequest);

        Assert.Equal("Bad request", problem.GetProperty("title").GetString());
        Assert.Equal("This endpoint needs a request body (application/json).", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("Implicit body", problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Did you mean", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonEndpoint_NoBody_InDevelopment_CarriesTheFrameworkTextAsDeveloperDetail()
    {
        await using var host = await StartAsync(Environments.Development);

        using var response = await host.Client.PostAsync(new Uri("/json", UriKind.Relative), new StringContent(string.Empty, Encoding.UTF8, "application/json"));
        var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.BadRequest);

        Assert.Equal("This endpoint needs a request body (application/json).", problem.GetProperty("detail").GetString());
        Assert.Contains("Implicit body", problem.GetProperty(FrameworkProblems.DeveloperDetailKey).GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/number?value=abc", "The value of 'value' is not in the format this endpoint expects.")]
    [InlineData("/number", "The required value 'value' was not provided in the query string.")]
    public async Task QueryValue_NotBound_Is400NamingTheParameterButNotItsClrType(string path, string detail)
    {
        await using var host = await StartAsync();

        using var response = await host.Client.GetAsync(new Uri(path, UriKind.Relative));
        var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.BadRequest);

        Assert.Equal(detail, problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("int value", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RouteWithoutTheMethod_Is405InKitStyleWithAllow()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.DeleteAsync(new Uri("/only-get", UriKind.Relative));
        var problem = await ReadProblemAsync(response, HttpStatusCode.MethodNotAllowed, ProblemCodes.MethodNotAllowed);

        Assert.Equal("Method not allowed", problem.GetProperty("title").GetString());
        Assert.Contains("Allow", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("GET", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task NoSuchRoute_Is404InKitStyle()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.GetAsync(new Uri("/nowhere", UriKind.Relative));
        var problem = await ReadProblemAsync(response, HttpStatusCode.NotFound, ProblemCodes.NotFound);

        Assert.Equal("Not found", problem.GetProperty("title").GetString());
        Assert.Equal("The requested resource does not exist.", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(405, "Method not allowed")]
    [InlineData(415, "Unsupported media type")]
    [InlineData(505, "HTTP version not supported")]
    [InlineData(414, "URI too long")]
    [InlineData(599, "Server error")]
    public void Title_IsTheReasonPhraseInSentenceCase(int status, string title) =>
        Assert.Equal(title, FrameworkProblems.Title(status));

    private static async Task<JsonElement> ReadProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var problem = document.RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.StartsWith(ProblemCodes.TypePrefix, problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        return problem;
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microservice.Kit.Versioning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;

namespace Microservice.Kit.Tests.Versioning;

public sealed class VersionedRouteGroupTests
{
    [Theory]
    [InlineData("/api/v1/employees/7", "1.0", "pictureId")]
    [InlineData("/api/v2/employees/7", "2.0", "pictureUrl")]
    [InlineData("/api/v1.0/employees/7", "1.0", "pictureId")]
    [InlineData("/api/v2.0/employees/7", "2.0", "pictureUrl")]
    public async Task UrlSegment_SelectsTheVersionsHandler(string path, string version, string member)
    {
        await using var app = await VersionedApp.StartAsync();

        var body = await app.Client.GetFromJsonAsync<JsonElement>(path);

        Assert.Equal(version, body.GetProperty("version").GetString());
        Assert.True(body.TryGetProperty(member, out _));
    }

    [Fact]
    public async Task Unversioned_NoVersion_UsesTheDefault()
    {
        await using var app = await VersionedApp.StartAsync();

        var body = await app.Client.GetFromJsonAsync<JsonElement>("/api/employees/7");

        Assert.Equal("1.0", body.GetProperty("version").GetString());
        Assert.True(body.TryGetProperty("pictureId", out _));
    }

    [Fact]
    public async Task Unversioned_ConfiguredDefault_IsUsed()
    {
        await using var app = await VersionedApp.StartAsync(o => o.DefaultVersion = "2.0");

        var body = await app.Client.GetFromJsonAsync<JsonElement>("/api/employees/7");

        Assert.Equal("2.0", body.GetProperty("version").GetString());
    }

    [Fact]
    public async Task Unversioned_DefaultNotAssumed_Returns400Unspecified()
    {
        await using var app = await VersionedApp.StartAsync(o => o.AssumeDefaultVersionWhenUnspecified = false);

        using var response = await app.Client.GetAsync("/api/employees/7");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ApiVersioningConstants.ApiVersionUnspecified, (await VersionedApp.ProblemAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Header_SelectsTheVersion()
    {
        await using var app = await VersionedApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/employees/7");
        request.Headers.Add("api-version", "2.0");

        using var response = await app.Client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("2.0", body.GetProperty("version").GetString());
        Assert.True(body.TryGetProperty("email", out _));
    }

    [Theory]
    [InlineData("?api-version=2.0")]
    [InlineData("?page=1&api-version=2")]
    [InlineData("?API-VERSION=2.0")]
    [InlineData("?api-version=2%2E0")]
    public async Task Query_SelectsTheVersion(string query)
    {
        await using var app = await VersionedApp.StartAsync();

        var body = await app.Client.GetFromJsonAsync<JsonElement>("/api/employees/7" + query);

        Assert.Equal("2.0", body.GetProperty("version").GetString());
    }

    [Theory]
    [InlineData("application/json; v=2.0")]
    [InlineData("application/json;v=\"2.0\"")]
    [InlineData("text/plain;q=0.5, application/json; charset=utf-8; v=2.0")]
    public async Task AcceptMediaTypeParameter_SelectsTheVersion(string accept)
    {
        await using var app = await VersionedApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/employees/7");
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await app.Client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("2.0", body.GetProperty("version").GetString());
    }

    [Fact]
    public async Task ContentTypeMediaTypeParameter_SelectsTheVersion()
    {
        await using var app = await VersionedApp.StartAsync();
        using var content = new StringContent("{}");
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; v=2.0");

        using var response = await app.Client.PostAsync("/api/echo", content);

        Assert.Equal("2.0", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ConfiguredReaderNames_AreRead_AndDefaultsAreNot()
    {
        await using var app = await VersionedApp.StartAsync(o =>
        {
            o.HeaderName = "x-version";
            o.QueryParameterName = "ver";
            o.MediaTypeParameterName = string.Empty;
        });
        using var header = new HttpRequestMessage(HttpMethod.Get, "/api/ping");
        header.Headers.Add("x-version", "2.0");
        using var ignored = new HttpRequestMessage(HttpMethod.Get, "/api/ping?api-version=2.0");
        ignored.Headers.Add("api-version", "2.0");
        ignored.Headers.TryAddWithoutValidation("Accept", "application/json; v=2.0");

        Assert.Equal("2.0", await (await app.Client.SendAsync(header)).Content.ReadAsStringAsync());
        Assert.Equal("2.0", await app.Client.GetStringAsync("/api/ping?ver=2.0"));
        Assert.Equal("1.0", await (await app.Client.SendAsync(ignored)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SameVersionFromEveryReader_IsNotAmbiguous()
    {
        await using var app = await VersionedApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/ping?api-version=2");
        request.Headers.Add("api-version", "2.0");
        request.Headers.TryAddWithoutValidation("Accept", "application/json; v=2.0");

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("2.0", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/api/v1/ping", "api-version", "2.0", null)]
    [InlineData("/api/ping?api-version=1.0", "api-version", "2.0", null)]
    [InlineData("/api/ping", "api-version", "1.0, 2.0", null)]
    [InlineData("/api/ping?api-version=1.0&api-version=2.0", null, null, null)]
    [InlineData("/api/ping", null, null, "application/json; v=1.0, text/json; v=2.0")]
    [InlineData("/api/v2/ping", null, null, "application/json; v=1.0")]
    [InlineData("/api/v3/ping", "api-version", "2.0", null)]
    public async Task TwoDifferentVersions_Return400Ambiguous(string path, string? header, string? value, string? accept)
    {
        await using var app = await VersionedApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ApiVersioningConstants.AmbiguousApiVersion, (await VersionedApp.ProblemAsync(response)).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("/api/vtwo/ping", null, null)]
    [InlineData("/api/v1.x/employees/7", null, null)]
    [InlineData("/api/ping", "api-version", "two")]
    [InlineData("/api/ping", "api-version", "1.0-")]
    [InlineData("/api/ping?api-version=2026-02-30", null, null)]
    [InlineData("/api/ping?api-version=%zz", null, null)]
    [InlineData("/api/ping", "Accept", "application/json; v=abc")]
    public async Task MalformedVersion_Returns400Invalid(string path, string? header, string? value)
    {
        await using var app = await VersionedApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await app.Client.SendAsync(request);
        var problem = await VersionedApp.ProblemAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ApiVersioningConstants.InvalidApiVersion, problem.GetProperty("code").GetString());
        Assert.Equal("urn:microservice-kit:problem:invalid-api-version", problem.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("/api/v3/employees/7", null, null)]
    [InlineData("/api/v3.0/ping", null, null)]
    [InlineData("/api/employees/7", "api-version", "3.0")]
    [InlineData("/api/employees/7?api-version=1.5", null, null)]
    [InlineData("/api/employees/7", "Accept", "application/json; v=2026-11-28")]
    public async Task UnsupportedVersion_Returns400ListingTheSupportedVersions(string path, string? header, string? value)
    {
        await using var app = await VersionedApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await app.Client.SendAsync(request);
        var problem = await VersionedApp.ProblemAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ApiVersioningConstants.UnsupportedApiVersion, problem.GetProperty("code").GetString());
        Assert.Equal(["1.0", "2.0"], problem.GetProperty("supportedVersions").EnumerateArray().Select(e => e.GetString()));
        Assert.True(problem.TryGetProperty("traceId", out _));
        Assert.Equal("1.0, 2.0", string.Join(", ", response.Headers.GetValues("api-supported-versions")));
    }

    [Fact]
    public async Task VersionErrors_AreCountedByReason()
    {
        await using var app = await VersionedApp.StartAsync();
        using var collector = new MetricCollector<long>(null, "Microservice.Kit", "microservice_kit.versioning.rejected");

        (await app.Client.GetAsync("/api/v9/ping")).Dispose();

        Assert.Contains(collector.GetMeasurementSnapshot(), m => m.Value == 1 && Equals(m.Tags["reason"], ApiVersioningConstants.UnsupportedApiVersion));
    }

    [Fact]
    public async Task UnsupportedVersion_OfAnEndpointMappedToOneVersion_Returns400()
    {
        await using var app = await VersionedApp.StartAsync(map: endpoints =>
        {
            var api = endpoints.MapVersionedGroup("/api", v => v.HasVersion(1.0).HasVersion(2.0));
            api.MapGet("/only-two", () => "two").MapToApiVersion(2.0);
        });

        using var response = await app.Client.GetAsync("/api/v1/only-two");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ApiVersioningConstants.UnsupportedApiVersion, (await VersionedApp.ProblemAsync(response)).GetProperty("code").GetString());
        Assert.Equal("two", await app.Client.GetStringAsync("/api/v2/only-two"));
    }

    [Theory]
    [InlineData("/api/v1/things/7", "v1 copy")]
    [InlineData("/api/V2/things/7", "v2 copy")]
    [InlineData("/api/things/7", "unversioned copy")]
    [InlineData("/api/v2.0/things/7", "catch-all copy")]
    public async Task Routing_EachPath_HasOnlyItsOwnCopyAsCandidate(string path, string expected)
    {
        var recorder = new CandidateRecorder();
        await using var app = await VersionedApp.StartAsync(
            map: endpoints => endpoints.MapVersionedGroup("/api", v => v.HasVersion(1.0).HasVersion(2.0)).MapGet("/things/{id:int}", (int id) => id),
            kit: kit => kit.Services.AddSingleton<MatcherPolicy>(recorder));

        using var response = await app.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var candidates = Assert.Single(recorder.Seen);
        Assert.Equal([expected], candidates);
    }

    [Fact]
    public async Task UnknownPathUnderAVersion_IsStill404()
    {
        await using var app = await VersionedApp.StartAsync();

        using var response = await app.Client.GetAsync("/api/v3/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task VersionErrors_AreAnsweredBeforeAuthorization()
    {
        await using var app = await VersionedApp.StartAsync(map: endpoints =>
        {
            var api = endpoints.MapVersionedGroup("/api", v => v.HasVersion(1.0).HasVersion(2.0));
            api.MapGet("/secret", () => "secret").RequireAuthorization();
        });

        using var response = await app.Client.GetAsync("/api/v3/secret");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task CallerConventions_ApplyToEveryCopy()
    {
        var seen = new List<string>();
        await using var app = await VersionedApp.StartAsync(map: endpoints =>
        {
            var api = endpoints.MapVersionedGroup("/api", v => v.HasVersion(1.0).HasVersion(2.0));
            api.MapGet("/tagged", () => "ok").WithMetadata("per-endpoint");
            api.WithMetadata(new GroupMarker());
        });

        var endpoints = app.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.EndsWith("tagged", StringComparison.Ordinal)).ToList();

        Assert.Equal(4, endpoints.Count); // v1, v2, the catch-all {apiVersion}, unversioned
        Assert.All(endpoints, e => Assert.NotNull(e.Metadata.GetMetadata<GroupMarker>()));
        Assert.All(endpoints, e => Assert.Contains("per-endpoint", e.Metadata.OfType<string>()));
        Assert.Equal(
            ["/api/", "/api/v1/", "/api/v2/", "/api/{apiVersion}/"],
            endpoints.Select(e => e.RoutePattern.RawText!.Replace("tagged", string.Empty, StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MapToApiVersion_AVersionTheGroupDoesNotServe_FailsAtStartup()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var app = await VersionedApp.StartAsync(map: endpoints =>
            {
                var api = endpoints.MapVersionedGroup("/api", v => v.HasVersion(1.0));
                api.MapGet("/x", () => "x").MapToApiVersion(3.0);
            });
            await app.Client.GetAsync("/api/x");
        });

        Assert.Contains("3.0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapVersionedGroup_WithoutAddApiVersioning_NamesTheMissingCall()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddMicroserviceKit();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapVersionedGroup("/api"));

        Assert.Contains("AddApiVersioning()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GroupWithoutDeclaredVersions_UsesTheOptions()
    {
        await using var app = await VersionedApp.StartAsync(
            o => o.SupportedVersions = ["1.0", "3.0"],
            endpoints => endpoints.MapVersionedGroup("/api").MapGet("/ping", (ApiVersion v) => v.ToString()));

        using var response = await app.Client.GetAsync("/api/v3/ping");

        Assert.Equal("3.0", await response.Content.ReadAsStringAsync());
        Assert.Equal("1.0, 3.0", response.Headers.GetValues("api-supported-versions").Single());
        Assert.Equal("1.0", response.Headers.GetValues("api-deprecated-versions").Single());
    }

    [Fact]
    public async Task NonVersionedEndpoints_AreUntouched()
    {
        await using var app = await VersionedApp.StartAsync(map: endpoints =>
        {
            VersionedApp.MapEndpointsAlongside(endpoints);
        });

        using var response = await app.Client.GetAsync("/plain?api-version=banana");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("api-supported-versions"));
        Assert.Equal("none", await response.Content.ReadAsStringAsync());
    }

    private sealed class GroupMarker;
}

/// <summary>Records, for each request, which copies of a versioned route the matcher offered as candidates.</summary>
internal sealed class CandidateRecorder : Microsoft.AspNetCore.Routing.MatcherPolicy, Microsoft.AspNetCore.Routing.Matching.IEndpointSelectorPolicy
{
    public List<string[]> Seen { get; } = [];

    // Before the kit's version policy, which may invalidate candidates.
    public override int Order => -1000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => true;

    public Task ApplyAsync(HttpContext httpContext, Microsoft.AspNetCore.Routing.Matching.CandidateSet candidates)
    {
        var copies = new string[candidates.Count];
        for (var i = 0; i < candidates.Count; i++)
        {
            var pattern = ((RouteEndpoint)candidates[i].Endpoint).RoutePattern.RawText!;
            copies[i] = pattern.StartsWith("/api/v1/", StringComparison.Ordinal) ? "v1 copy"
                : pattern.StartsWith("/api/v2/", StringComparison.Ordinal) ? "v2 copy"
                : pattern.StartsWith("/api/{", StringComparison.Ordinal) ? "catch-all copy"
                : "unversioned copy";
        }

        lock (Seen)
        {
            Seen.Add(copies);
        }

        return Task.CompletedTask;
    }
}

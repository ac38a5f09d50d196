using Asp.Versioning;
using ApiVersionReportingMiddleware = Microservice.Kit.Versioning.Internal.ApiVersionReportingMiddleware;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microservice.Kit.Benchmarks.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using KitApiVersion = Microservice.Kit.Versioning.ApiVersion;

namespace Microservice.Kit.Benchmarks.Versioning;

/// <summary>
/// One GET through an in-process host (TestServer) to a minimal-API endpoint served as v1 and v2 (v1 deprecated),
/// with the version in the URL segment or in the <c>api-version</c> header: versioned by the kit against the same
/// endpoint versioned by Asp.Versioning.Http (the baseline). Both report supported and deprecated versions.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class VersionedEndpointBenchmarks
{
    private WebApplication _kit = null!;
    private WebApplication _asp = null!;
    private HttpClient _kitClient = null!;
    private HttpClient _aspClient = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _kit = InProcessRead.Create(builder => builder.AddMicroserviceKit().AddApiVersioning(), app =>
        {
            // The versioning step UseMicroserviceKit adds (without the kit's exception handling, which the
            // Asp.Versioning host does not have either).
            app.Use(ApiVersionReportingMiddleware.InvokeAsync);
            var api = app.MapVersionedGroup("/api", v => v.HasVersion(2.0).HasDeprecatedVersion(1.0));
            api.MapGet("/ping", (KitApiVersion version) => version.Major);
        });

        _asp = InProcessRead.Create(builder => builder.Services.AddApiVersioning(options =>
        {
            options.DefaultApiVersion = new ApiVersion(1, 0);
            options.AssumeDefaultVersionWhenUnspecified = true;
            options.ReportApiVersions = true;
            options.ApiVersionReader = ApiVersionReader.Combine(
                new UrlSegmentApiVersionReader(),
                new HeaderApiVersionReader("api-version"),
                new QueryStringApiVersionReader("api-version"),
                new MediaTypeApiVersionReader("v"));
        }), app =>
        {
            var set = app.NewApiVersionSet().HasApiVersion(new ApiVersion(2, 0)).HasDeprecatedApiVersion(new ApiVersion(1, 0)).ReportApiVersions().Build();
            app.MapGet("/api/v{version:apiVersion}/ping", (HttpContext context) => context.Features.Get<IApiVersioningFeature>()!.RequestedApiVersion!.MajorVersion ?? 0).WithApiVersionSet(set);
            app.MapGet("/api/ping", (HttpContext context) => context.Features.Get<IApiVersioningFeature>()!.RequestedApiVersion!.MajorVersion ?? 0).WithApiVersionSet(set);
        });

        await _kit.StartAsync();
        await _asp.StartAsync();
        _kitClient = _kit.GetTestClient();
        _aspClient = _asp.GetTestClient();

        // Both must answer the same before their speed means anything.
        foreach (var client in new[] { _kitClient, _aspClient })
        {
            using var response = await Send(client, "/api/v2/ping", header: null);
            if (!response.IsSuccessStatusCode || await response.Content.ReadAsStringAsync() != "2" || !response.Headers.Contains("api-supported-versions"))
            {
                throw new InvalidOperationException($"Unexpected answer {(int)response.StatusCode} from the {(client == _kitClient ? "kit" : "Asp.Versioning")} host.");
            }
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _kitClient.Dispose();
        _aspClient.Dispose();
        await _kit.DisposeAsync();
        await _asp.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("UrlSegment")]
    public Task<int> AspVersioning_UrlSegment() => GetAsync(_aspClient, "/api/v2/ping", header: null);

    [Benchmark]
    [BenchmarkCategory("UrlSegment")]
    public Task<int> Kit_UrlSegment() => GetAsync(_kitClient, "/api/v2/ping", header: null);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Header")]
    public Task<int> AspVersioning_Header() => GetAsync(_aspClient, "/api/ping", header: "2.0");

    [Benchmark]
    [BenchmarkCategory("Header")]
    public Task<int> Kit_Header() => GetAsync(_kitClient, "/api/ping", header: "2.0");

    private static async Task<int> GetAsync(HttpClient client, string path, string? header)
    {
        using var response = await Send(client, path, header);
        return (int)response.StatusCode;
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string path, string? header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation("api-version", header);
        }

        return client.SendAsync(request);
    }
}

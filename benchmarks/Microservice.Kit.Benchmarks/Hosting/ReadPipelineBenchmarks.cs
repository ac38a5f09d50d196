using BenchmarkDotNet.Attributes;
using Microservice.Kit.Data;
using Microservice.Kit.Tokens;
using Microservice.Kit.Versioning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Benchmarks.Hosting;

/// <summary>
/// The Employees read, <c>GET /api/v1/employees/{id}</c>, through an in-process host (TestServer) with the records in
/// memory: what the kit's pipeline adds to a request apart from the data layer. The kit host is composed like the
/// Employees sample (UseMicroserviceKit: problem details, versioning, the bearer scheme with a cached token, the
/// permission policy; a versioned group; the ETag); the baseline is a bare minimal API returning the same record.
/// </summary>
[MemoryDiagnoser]
public class ReadPipelineBenchmarks
{
    private const int Count = 1024;
    private static readonly ApiVersion V1 = new(1, 0);
    private static readonly ApiVersion V2 = new(2, 0);
    private static readonly Record[] Records = [.. Enumerable.Range(0, Count).Select(i => new Record(i, $"Employee {i}", $"{i} Load Test Street", i % 3 == 0 ? $"picture-{i}" : null, i + 1))];

    private WebApplication _kit = null!;
    private WebApplication _bare = null!;
    private HttpClient _kitClient = null!;
    private HttpClient _bareClient = null!;
    private string _authorization = null!;
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _kit = InProcessRead.Create(builder => builder.AddMicroserviceKit(o => o.ServiceName = "employees").AddTokenIssuer().AddTokenValidation().AddApiVersioning(), app =>
        {
            app.UseMicroserviceKit();
            var api = app.MapVersionedGroup("/api", versions => versions.HasDeprecatedVersion(V1, DateTimeOffset.UnixEpoch, sunsetOn: null).HasVersion(V2));
            api.MapGroup("/employees").MapGet("/{id:int}", (int id, HttpContext http) =>
            {
                var record = (uint)id < Count ? Records[id] : throw new Microservice.Kit.Problems.NotFoundException($"Employee {id} does not exist.", "EmployeeNotFound");
                http.Response.Headers.ETag = EntityTag.FromVersion(record.Version);
                return Results.Ok(new Employee(record.Id, record.Name, record.Address, record.PictureId));
            }).RequirePermission("emp.list");
        });
        _bare = InProcessRead.Create(_ => { }, app => app.MapGet("/api/v1/employees/{id:int}", (int id) =>
            (uint)id < Count && Records[id] is { } record ? Results.Ok(new Employee(record.Id, record.Name, record.Address, record.PictureId)) : Results.NotFound()));

        await _kit.StartAsync();
        await _bare.StartAsync();
        _kitClient = _kit.GetTestClient();
        _bareClient = _bare.GetTestClient();
        var token = _kit.Services.GetRequiredService<ITokenIssuer>().Issue(new TokenRequest("alice") { Permissions = ["emp.list"] }).AccessToken;
        _authorization = "Bearer " + token;

        // Both must answer the same before their speed means anything; the kit without a token must refuse.
        var kit = await InProcessRead.SendAsync(_kitClient, 7, _authorization);
        var bare = await InProcessRead.SendAsync(_bareClient, 7, null);
        var refused = await InProcessRead.SendAsync(_kitClient, 7, null);
        if (kit != 200 || bare != 200 || refused != 401)
        {
            throw new InvalidOperationException($"Unexpected answers: kit {kit}, bare {bare}, kit without a token {refused}.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _kitClient.Dispose();
        _bareClient.Dispose();
        await _kit.DisposeAsync();
        await _bare.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "bare minimal API, no auth")]
    public Task<int> Bare() => InProcessRead.SendAsync(_bareClient, _next++ & (Count - 1), null);

    [Benchmark(Description = "kit: UseMicroserviceKit, bearer token, permission, versioned group, ETag")]
    public Task<int> Kit() => InProcessRead.SendAsync(_kitClient, _next++ & (Count - 1), _authorization);

    private sealed record Record(int Id, string Name, string Address, string? PictureId, long Version);

    /// <summary>The Employees sample's v1 shape.</summary>
    public sealed record Employee(int Id, string Name, string Address, string? PictureId);
}

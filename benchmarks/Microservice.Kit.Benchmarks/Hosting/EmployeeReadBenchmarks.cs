using BenchmarkDotNet.Attributes;
using LiteDB;
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
/// The Employees read, <c>GET /api/v1/employees/{id}</c>, whole, in process (TestServer), with the records in LiteDB
/// files of 10,000 employees each: the kit host composed like the Employees sample (bearer token, permission policy,
/// versioned group, the repository with its validation, telemetry and concurrency gate, the ETag) against the bare
/// API of <c>benchmarks/load</c> (minimal API, <c>FindById</c> on a <see cref="BsonDocument"/> collection, no auth).
/// What the load test's kit / bare ratio measures, without the sockets and without wrk on the same two cores.
/// </summary>
[MemoryDiagnoser]
public class EmployeeReadBenchmarks
{
    private const int Count = 10_000;
    private static readonly ApiVersion V1 = new(1, 0);
    private static readonly ApiVersion V2 = new(2, 0);

    private string _directory = null!;
    private WebApplication _kit = null!;
    private WebApplication _bare = null!;
    private HttpClient _kitClient = null!;
    private HttpClient _bareClient = null!;
    private string _authorization = null!;
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Directory.CreateTempSubdirectory("kit-read-bench-").FullName;
        _kit = InProcessRead.Create(builder => builder.AddMicroserviceKit(o => o.ServiceName = "employees")
            .AddTokenIssuer(tokens => tokens.KeyDirectory = Path.Combine(_directory, "keys"))
            .AddTokenValidation()
            .AddLiteDb(db => db.ConnectionString = $"Filename={Path.Combine(_directory, "kit.db")}")
            .AddRepository<Employee, int, EmployeeDefinition>()
            .AddApiVersioning(), app =>
        {
            app.UseMicroserviceKit();
            var api = app.MapVersionedGroup("/api", versions => versions.HasDeprecatedVersion(V1, DateTimeOffset.UnixEpoch, sunsetOn: null).HasVersion(V2));
            api.MapGroup("/employees").MapGet("/{id:int}", async (int id, IRepository<Employee, int> repository, HttpContext http) =>
            {
                var employee = await repository.GetAsync(id, http.RequestAborted)
                    ?? throw new Problems.NotFoundException($"Employee {id} does not exist.", "EmployeeNotFound");
                http.Response.Headers.ETag = EntityTag.FromVersion(employee.Version);
                return Results.Ok(new EmployeeV1(employee.Id, employee.Name, employee.Address, employee.PictureId));
            }).RequirePermission("emp.list");
        });

        // The host owns (and disposes) the bare API's database, as a service would.
        var bareFile = Path.Combine(_directory, "bare.db");
        _bare = InProcessRead.Create(builder => builder.Services.AddSingleton(_ => new LiteDatabase($"Filename={bareFile}")), app =>
        {
            var documents = app.Services.GetRequiredService<LiteDatabase>().GetCollection("employees", BsonAutoId.Int32);
            app.MapGet("/api/v1/employees/{id:int}", (int id) =>
                documents.FindById(id) is { } document
                    ? Results.Ok(new EmployeeV1(document["_id"].AsInt32, document["Name"].AsString, document["Address"].AsString, document["PictureId"].IsNull ? null : document["PictureId"].AsString))
                    : Results.NotFound());
        });

        await _kit.StartAsync();
        await _bare.StartAsync();

        var now = DateTime.UtcNow;
        await _kit.Services.GetRequiredService<IRepository<Employee, int>>().AddManyAsync(Enumerable.Range(1, Count).Select(i =>
            new Employee { Name = $"Employee {i}", Address = $"{i} Load Test Street", PictureId = i % 3 == 0 ? $"picture-{i}" : null }));
        _bare.Services.GetRequiredService<LiteDatabase>().GetCollection("employees", BsonAutoId.Int32).InsertBulk(Enumerable.Range(1, Count).Select(i => new BsonDocument
        {
            ["_id"] = i,
            ["Name"] = $"Employee {i}",
            ["Address"] = $"{i} Load Test Street",
            ["PictureId"] = i % 3 == 0 ? $"picture-{i}" : BsonValue.Null,
            ["Version"] = 1L,
            ["CreatedAt"] = now,
            ["UpdatedAt"] = now,
        }));

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
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "bare: minimal API, LiteDB FindById, no auth")]
    public Task<int> Bare() => InProcessRead.SendAsync(_bareClient, Next(), null);

    [Benchmark(Description = "kit: the sample's read (token, permission, versioning, repository, ETag)")]
    public Task<int> Kit() => InProcessRead.SendAsync(_kitClient, Next(), _authorization);

    private int Next() => 1 + (_next++ % Count);

    /// <summary>The Employees sample's stored employee.</summary>
    public sealed class Employee : Entity<int>
    {
        /// <summary>The name.</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>The address.</summary>
        public string Address { get; set; } = string.Empty;

        /// <summary>The picture's id.</summary>
        public string? PictureId { get; set; }
    }

    /// <summary>The sample's definition: the collection and its validation.</summary>
    public sealed class EmployeeDefinition : IEntityDefinition<Employee>
    {
        /// <inheritdoc/>
        public void Configure(EntityTypeBuilder<Employee> entity) => entity.ToCollection("employees").Validate((employee, errors) =>
        {
            errors.Length(employee.Name?.Trim(), "name", 1, 255);
            errors.Length(employee.Address?.Trim(), "address", 1, 1023);
        });
    }

    /// <summary>The Employees sample's v1 shape.</summary>
    public sealed record EmployeeV1(int Id, string Name, string Address, string? PictureId);
}

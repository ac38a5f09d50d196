using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microservice.Kit.Data;
using Microservice.Kit.Files;
using Microservice.Kit.Problems;
using Microservice.Kit.Tests.Files;
using Microservice.Kit.Tests.Infrastructure;
using Microservice.Kit.Tokens;
using Microservice.Kit.Tokens.Internal;
using Microservice.Kit.Versioning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Microservice.Kit.Tests.Reliability;

/// <summary>
/// A real Kestrel service that composes every kit feature from its public API the way the Employees sample does:
/// token issuance (a password login) and validation, a versioned employees API (v1 deprecated, v2) over a LiteDB
/// repository with If-Match, employee pictures and the generic file endpoints. Every log record is captured.
/// </summary>
internal sealed class ComposedHost : IAsyncDisposable
{
    public const string AdminPassword = "Adm1n-pa55word-not-for-logs";
    public const string WrongPassword = "Wr0ng-pa55word-also-not-for-logs";

    private static readonly string[] AllPermissions = ["emp.list", "emp.create", "emp.update", "emp.delete", "files.read", "files.write"];

    private readonly TempDirectory _data;

    private ComposedHost(KestrelTestHost host, TempDirectory data)
    {
        Host = host;
        _data = data;
    }

    public KestrelTestHost Host { get; }

    public string DataPath => _data.Path;

    public string AdminToken { get; private set; } = null!;

    public int EmployeeId { get; private set; }

    public FakeLogCollector Logs => Host.Services.GetFakeLogCollector();

    public static async Task<ComposedHost> StartAsync()
    {
        var data = new TempDirectory();
        var host = await KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit(options => options.ServiceName = "employees")
                .AddTokenIssuer(tokens => tokens.KeyDirectory = Path.Combine(data.Path, "keys"))
                .AddTokenValidation(tokens => tokens.TokenHeader = "X-Auth-Header")
                .AddLiteDb(db => db.ConnectionString = $"Filename={Path.Combine(data.Path, "app.db")}")
                .AddRepository<ComposedEmployee, int, EmployeeDefinition>()
                .AddFileStore(files => files.MaxUploadBytes = 1024 * 1024)
                .UseLocalDisk(files => files.RootPath = Path.Combine(data.Path, "files"))
                .AddApiVersioning(),
            Map,
            logging: logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        var composed = new ComposedHost(host, data);
        await composed.SeedAsync();
        return composed;
    }

    /// <summary>The routes the corpus aims at: the Employees sample's contract.</summary>
    public CorpusTarget Target => new(
        JsonPosts:
        [
            ("/api/v1/employees", "{\"name\":\"Ada\",\"address\":\"London\"}"),
            ("/api/v2/employees", "{\"name\":\"Ada\",\"address\":\"London\",\"email\":\"ada@example.org\"}"),
            ("/api/v1/tokens", "{\"username\":\"nobody\",\"password\":\"" + WrongPassword + "\"}"),
        ],
        JsonPuts: [($"/api/v1/employees/{EmployeeId}", "{\"name\":\"Ada\",\"address\":\"London\"}")],
        IdRoutes:
        [
            ("/api/v1/employees/{id}", ["GET", "PUT", "DELETE"]),
            ("/api/v2/employees/{id}", ["GET"]),
            ("/api/v1/employees/{id}/picture", ["GET", "DELETE"]),
        ],
        ListPaths: ["/api/v1/employees", "/api/v2/employees"],
        FilesPrefix: "/api/v1/files",
        PicturePath: $"/api/v1/employees/{EmployeeId}/picture",
        VersionedPath: $"/employees/{EmployeeId}");

    /// <summary>Key material that must never reach a log: the private signing key, in every encoding it exists in.</summary>
    public IEnumerable<string> KeyMaterial()
    {
        var key = Host.Services.GetRequiredService<LocalKeyRing>().SigningKey;
        var parameters = ((ECDsaSecurityKey)key.Credentials.Key).ECDsa.ExportParameters(includePrivateParameters: true);
        yield return Base64UrlEncoder.Encode(parameters.D);
        yield return Convert.ToBase64String(parameters.D!);
        yield return Convert.ToHexString(parameters.D!);
        if (key.Pkcs8 is { } pkcs8)
        {
            yield return Convert.ToBase64String(pkcs8)[..64];
        }
    }

    /// <summary>Every captured log record as one text: message, exception, structured state and scopes.</summary>
    public List<string> LogLines() =>
        Logs.GetSnapshot().Select(r =>
            $"{r.Level} {r.Category} {r.Message} {r.Exception} " +
            string.Join(' ', r.StructuredState?.Select(s => s.Key + "=" + s.Value) ?? []) + " " +
            string.Join(' ', r.Scopes.Select(s => s?.ToString()))).ToList();

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }

    private static void Map(WebApplication app)
    {
        app.UseMicroserviceKit();
        app.MapKitEndpoints();

        app.MapPost("/api/v1/tokens", (Login login, ITokenIssuer issuer) =>
        {
            var ok = login.Username == "admin" && login.Password is not null
                && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(login.Password), Encoding.UTF8.GetBytes(AdminPassword));
            if (!ok)
            {
                throw new KitException(401, "InvalidCredentials", "Invalid credentials", "The user name or password is wrong.");
            }

            var token = issuer.Issue(new TokenRequest("admin") { Permissions = AllPermissions });
            return Results.Ok(new { access_token = token.AccessToken, token_type = "Bearer" });
        });

        var api = app.MapVersionedGroup("/api", v => v.HasDeprecatedVersion(1.0).HasVersion(2.0));
        var employees = api.MapGroup("/employees");
        employees.MapGet("/", async (IRepository<ComposedEmployee, int> repository, HttpContext http, int page = 1, int pageSize = 20) =>
            Results.Ok(await repository.PageAsync(new PageRequest<ComposedEmployee>(page, pageSize), http.RequestAborted))).RequirePermission("emp.list");
        employees.MapGet("/{id:int}", async (int id, IRepository<ComposedEmployee, int> repository, HttpContext http) =>
            Shape(http, await repository.GetAsync(id, http.RequestAborted) ?? throw new NotFoundException($"Employee {id} does not exist."))).RequirePermission("emp.list");
        employees.MapPost("/", async (EmployeeBody body, IRepository<ComposedEmployee, int> repository, HttpContext http) =>
        {
            var created = await repository.AddAsync(new ComposedEmployee { Name = body.Name!, Address = body.Address!, Email = body.Email }, http.RequestAborted);
            http.Response.Headers.ETag = EntityTag.FromVersion(created.Version);
            return Results.Created($"/api/v1/employees/{created.Id}", created);
        }).RequirePermission("emp.create");
        employees.MapPut("/{id:int}", async (int id, EmployeeBody body, IRepository<ComposedEmployee, int> repository, HttpContext http) =>
        {
            var employee = await repository.GetAsync(id, http.RequestAborted) ?? throw new NotFoundException($"Employee {id} does not exist.");
            (employee.Name, employee.Address) = (body.Name!, body.Address!);
            return Shape(http, await repository.UpdateAsync(employee, EntityTag.ParseIfMatch(http.Request.Headers.IfMatch), http.RequestAborted));
        }).RequirePermission("emp.update");
        employees.MapDelete("/{id:int}", async (int id, IRepository<ComposedEmployee, int> repository, HttpContext http) =>
            await repository.DeleteAsync(id, EntityTag.ParseIfMatch(http.Request.Headers.IfMatch), http.RequestAborted) ? Results.NoContent() : throw new NotFoundException($"Employee {id} does not exist."))
            .RequirePermission("emp.delete");

        var picture = new UploadPolicy { MaxBytes = 100 * 1024, Allowed = FileSignatures.Images };
        employees.MapPut("/{id:int}/picture", async (int id, IRepository<ComposedEmployee, int> repository, HttpContext http, FileUploads uploads) =>
        {
            _ = await repository.GetAsync(id, http.RequestAborted) ?? throw new NotFoundException($"Employee {id} does not exist.");
            var stored = await uploads.ReadSingleFileAsync(http, picture, $"employee-{id}-picture", overwrite: true);
            return Results.Ok(new { stored.FileId, stored.Size });
        }).RequirePermission("emp.update");
        employees.MapGet("/{id:int}/picture", (int id, IFileStore store) => FileResults.Download(store, $"employee-{id}-picture")).RequirePermission("emp.list");
        employees.MapDelete("/{id:int}/picture", async (int id, IFileStore store) =>
            await store.DeleteAsync($"employee-{id}-picture") ? Results.NoContent() : throw new NotFoundException("No picture.")).RequirePermission("emp.update");

        var files = app.MapFileEndpoints("/api/v1/files");
        files.Read.RequirePermission("files.read");
        files.Write.RequirePermission("files.write");
    }

    private static IResult Shape(HttpContext http, ComposedEmployee employee)
    {
        http.Response.Headers.ETag = EntityTag.FromVersion(employee.Version);
        return Results.Ok(employee);
    }

    private async Task SeedAsync()
    {
        // A real login (the password crosses the pipeline and must not be logged), and a failed one.
        using (var failed = await Host.Client.PostAsJsonAsync("/api/v1/tokens", new { username = "admin", password = WrongPassword }))
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var login = await Host.Client.PostAsJsonAsync("/api/v1/tokens", new { username = "admin", password = AdminPassword });
        AdminToken = (await login.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/employees") { Content = JsonContent.Create(new { name = "Grace", address = "Arlington" }) };
        request.Headers.Authorization = new("Bearer", AdminToken);
        using var created = await Host.Client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        EmployeeId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<int>();
    }

    internal sealed record Login(string? Username, string? Password);

    internal sealed record EmployeeBody(string? Name, string? Address, string? Email);
}

internal sealed class ComposedEmployee : Entity<int>
{
    public string Name { get; set; } = string.Empty;

    public string Address { get; set; } = string.Empty;

    public string? Email { get; set; }
}

internal sealed class EmployeeDefinition : IEntityDefinition<ComposedEmployee>
{
    public void Configure(EntityTypeBuilder<ComposedEmployee> entity) => entity
        .ToCollection("employees")
        .Validate(static (e, errors) =>
        {
            errors.Length(e.Name?.Trim(), "name", 1, 255);
            errors.Length(e.Address?.Trim(), "address", 1, 1023);
        });
}

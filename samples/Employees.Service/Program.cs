using Microservice.Kit.Hosting;
using Microservice.Kit.Files;
using Employees.Service;
using Employees.Service.Employees;
using Employees.Service.Keys;
using Employees.Service.Users;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;

var builder = WebApplication.CreateBuilder(args);
var settings = EmployeesSettings.Read(builder);      // the Employees section; exits if there is no admin password

var kit = builder.AddMicroserviceKit();
if (builder.Configuration.GetConnectionString("Employees") is { Length: > 0 })
{
    // Replicas share one key ring: every replica signs with, publishes and validates the same keys (docs/scale.md).
    kit.AddPostgreSqlTokenKeyRing("Employees");   // MicroserviceKit:Tokens:PostgreSql:EncryptionKey, the same on every replica
}

kit
    .AddTokenIssuer(tokens => tokens.KeyDirectory = settings.KeysDirectory)  // ES256 key made on first start, kept
    .AddTokenValidation(tokens => tokens.TokenHeader = "X-Auth-Header")      // besides Authorization: Bearer
    .AddEmployeesData(builder.Configuration, settings)        // ConnectionStrings:Employees set: PostgreSQL, else LiteDB
    .AddRepository<User, int, UserDefinition>()              // endpoints inject IRepository<User, int>
    .AddRepository<Employee, int, EmployeeDefinition>()
    .AddFileStore(files => files.MaxUploadBytes = settings.MaxFileBytes)
    .UseStorage(settings, settings.FilesDirectory, "files/")  // Employees:Storage:ServiceUrl set: S3, else the data directory
    .AddFileStore(Pictures.StoreName, pictures => pictures.MaxUploadBytes = settings.MaxPictureBytes) // [FromKeyedServices("pictures")]
    .UseStorage(settings, settings.PicturesDirectory, "pictures/")
    .AddFileArbiter(builder.Configuration, settings)          // S3 and PostgreSQL: create-only is exact across replicas
    .AddApiVersioning()
    .AddVersionedOpenApi(configure: null, EmployeeEndpoints.V1, EmployeeEndpoints.V2);
if (settings.PrometheusEndpoint)
{
    builder.AddMicroserviceKit().AddPrometheusEndpoint();  // GET /metrics for Prometheus; opt-in (Employees__PrometheusEndpoint=true)
}

builder.Services.AddSingleton(settings);
builder.Services.AddSingleton<Pictures>();
builder.Services.Configure<PasswordHasherOptions>(hashing => hashing.IterationCount = settings.PasswordIterations);
builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
builder.Services.AddSingleton<DecoyPasswordHash>();
builder.Services.AddHostedService<AdminSeeder>();     // admin, with every permission of both services
// Behind the gateway every request comes from it: take the client's address from X-Forwarded-For, trusted from loopback
// only (the default KnownNetworks), so that sign-in throttling counts clients, not the gateway.
builder.Services.Configure<ForwardedHeadersOptions>(forwarded => forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);

var app = builder.Build();
app.UseForwardedHeaders();
app.UseMicroserviceKit();     // problem details, versioning, authentication, authorization
app.MapKitEndpoints();        // /health/live, /health/ready, /.well-known/jwks.json, /openapi/v1.json, /openapi/v2.json
app.MapUserEndpoints();       // POST /api/v1/tokens, POST /api/v1/users
app.MapKeyEndpoints();        // GET and POST /api/v1/keys: the signing keys, rotation
app.MapEmployeeEndpoints();   // /api/v1/employees (deprecated), /api/v2/employees, /api/employees; their pictures

var files = app.MapFileEndpoints("/api/v1/files").WithGroupName("v1");
files.Read.RequirePermission(Permissions.FilesRead);
files.Write.RequirePermission(Permissions.FilesWrite);

app.Run();

internal static class StorageChoice
{
    /// <summary>With files in S3 and records in PostgreSQL, replicas decide create-only writes through PostgreSQL.</summary>
    public static IMicroserviceKitBuilder AddFileArbiter(this IMicroserviceKitBuilder kit, IConfiguration configuration, EmployeesSettings settings) =>
        settings.Storage.ServiceUrl is { Length: > 0 } && EmployeesData.UsesPostgreSql(configuration)
            ? kit.AddPostgreSqlFileStoreArbiter(EmployeesData.ConnectionName)
            : kit;

    /// <summary>The data directory by default; an S3 bucket (one prefix per store) when Employees:Storage:ServiceUrl is set.</summary>
    public static FileStoreBuilder UseStorage(this FileStoreBuilder store, EmployeesSettings settings, string directory, string prefix) =>
        settings.Storage.ServiceUrl is { Length: > 0 } serviceUrl
            ? store.UseS3(s3 =>
            {
                s3.ServiceUrl = serviceUrl;
                s3.Bucket = settings.Storage.Bucket;
                s3.Prefix = prefix;
            })
            : store.UseLocalDisk(local => local.RootPath = directory);
}

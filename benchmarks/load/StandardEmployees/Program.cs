using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using StandardEmployees;

// StandardEmployees --db FILE --jwks URL [--count 10000] [--issuer employees] [--audience kit-samples] [--urls URL]
// Creates and fills the SQLite database on first start (the same names and addresses the load test's seeder gives the
// Employees sample), fetches the Employees service's JWKS once, then serves GET /api/v1/employees/{id}.
var databaseFile = Argument("--db");
var jwksUrl = Argument("--jwks");
var count = int.Parse(Argument("--count", "10000"), CultureInfo.InvariantCulture);

// The same host defaults as the sample and the bare API (CreateBuilder, console logging at Warning).
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, StandardJsonContext.Default));
builder.Services.AddProblemDetails();
builder.Services.AddHealthChecks();
builder.Services.AddDbContext<EmployeesDb>(o => o.UseSqlite($"Data Source={databaseFile}"));

// The Employees service publishes no OpenID Connect discovery document, so the keys come from its JWKS, fetched
// at start-up (the service keeps its key across restarts).
using (var http = new HttpClient())
{
    var jwks = new JsonWebKeySet(await http.GetStringAsync(new Uri(jwksUrl)));
    builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
    {
        o.MapInboundClaims = false;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = Argument("--issuer", "employees"),
            ValidAudience = Argument("--audience", "kit-samples"),
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["at+jwt"],
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
        };
    });
}

builder.Services.AddAuthorizationBuilder()
    .AddPolicy("emp.list", policy => policy.RequireAuthenticatedUser().RequireClaim("permissions", "emp.list"));

var app = builder.Build();
using (var scope = app.Services.CreateScope())
{
    var db = scope.ServiceProvider.GetRequiredService<EmployeesDb>();
    if (await db.Database.EnsureCreatedAsync())
    {
        var now = DateTime.UtcNow;
        db.Employees.AddRange(Enumerable.Range(1, count).Select(i => new Employee
        {
            Name = $"Employee {i}", Address = $"{i} Load Test Street", Version = 1, CreatedAt = now, UpdatedAt = now,
        }));
        await db.SaveChangesAsync();
    }
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealthChecks("/health");
app.MapGet("/api/v1/employees/{id:int}", async (int id, EmployeesDb db, HttpContext http) =>
{
    if (await db.Employees.FindAsync([id], http.RequestAborted) is not { } employee)
    {
        return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Employee {id} does not exist.");
    }

    http.Response.Headers.ETag = $"\"{employee.Version.ToString(CultureInfo.InvariantCulture)}\"";
    return Results.Ok(new EmployeeResponse(employee.Id, employee.Name, employee.Address, employee.PictureId));
}).RequireAuthorization("emp.list");

app.Run();
return 0;

string Argument(string name, string? fallback = null)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback ?? throw new ArgumentException($"{name} is required.");
}

namespace StandardEmployees
{
    internal sealed class Employee
    {
        public int Id { get; set; }

        public string Name { get; set; } = string.Empty;

        public string Address { get; set; } = string.Empty;

        public string? Email { get; set; }

        public string? Department { get; set; }

        public string? PictureId { get; set; }

        public long Version { get; set; }

        public DateTime CreatedAt { get; set; }

        public DateTime UpdatedAt { get; set; }
    }

    internal sealed class EmployeesDb(DbContextOptions<EmployeesDb> options) : DbContext(options)
    {
        public DbSet<Employee> Employees => Set<Employee>();
    }

    /// <summary>The Employees sample's v1 shape.</summary>
    internal sealed record EmployeeResponse(int Id, string Name, string Address, string? PictureId);

    [JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(EmployeeResponse))]
    internal sealed partial class StandardJsonContext : JsonSerializerContext;
}

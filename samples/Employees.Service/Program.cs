using Employees.Service;
using Employees.Service.Employees;
using Employees.Service.Users;
using Microsoft.AspNetCore.Identity;

var builder = WebApplication.CreateBuilder(args);
var settings = EmployeesSettings.Read(builder);   // the Employees section; fails here without an admin password

builder.AddMicroserviceKit()
    .AddTokenIssuer(tokens => tokens.KeyDirectory = settings.KeysDirectory)   // ES256 key made on first start, kept
    .AddTokenValidation(tokens => tokens.TokenHeader = "X-Auth-Header")       // and Authorization: Bearer
    .AddLiteDb(db => db.ConnectionString = $"Filename={settings.DatabaseFile}")
    .AddRepository<UserRepository>()
    .AddRepository<EmployeeRepository>()
    .AddFileStore(files => (files.RootPath, files.MaxUploadBytes) = (settings.FilesDirectory, settings.MaxFileBytes))
    .AddApiVersioning()
    .AddVersionedOpenApi(configure: null, EmployeeEndpoints.V1, EmployeeEndpoints.V2);   // /openapi/v1.json, v2.json
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton<Pictures>();
builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
builder.Services.AddHostedService<AdminSeeder>();

var app = builder.Build();
app.UseMicroserviceKit();                    // problem details, versioning, authentication, authorization
app.MapKitEndpoints();                       // /health/live, /health/ready, /.well-known/jwks.json, /openapi/v{n}.json
app.MapUserEndpoints();                      // POST /api/v1/tokens, POST /api/v1/users
app.MapEmployeeEndpoints();                  // /api/v1|v2/employees, their pictures
var files = app.MapFileEndpoints("/api/v1/files").WithGroupName("v1");
files.Read.RequirePermission(Permissions.FilesRead);
files.Write.RequirePermission(Permissions.FilesWrite);

app.Run();

using Library.Service;
using Library.Service.Books;

var builder = WebApplication.CreateBuilder(args);
var settings = LibrarySettings.Read(builder);        // the Library section

builder.AddMicroserviceKit()
    .AddTokenValidation(tokens =>
    {
        tokens.JwksUrl = settings.EmployeesJwksUrl;  // Employees' public keys: no shared secret
        tokens.TokenHeader = "X-Auth-Header";        // besides Authorization: Bearer
    })
    .AddLibraryData(builder.Configuration, settings)   // ConnectionStrings:Library set: PostgreSQL, else LiteDB
    .AddRepository<Book, int, BookDefinition>()      // endpoints inject IRepository<Book, int>
    .AddServiceClient<EmployeesClient>("employees", client =>
    {
        client.BaseAddress = settings.EmployeesBaseAddress;
        client.ApiVersion.Versions = ["2.0", "1.0"];  // asks for the highest version Employees supports
    })
    .PropagateIncomingToken();                       // Employees sees the caller's own token

var app = builder.Build();
app.UseMicroserviceKit();     // problem details, authentication, authorization
app.MapKitEndpoints();        // /health/live, /health/ready
app.MapBookEndpoints();       // /api/v1/books, /api/v1/books/{id}/loans

app.Run();

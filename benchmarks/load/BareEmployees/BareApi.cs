using LiteDB;

namespace BareEmployees;

/// <summary>
/// The same lookups as the Employees sample's <c>/api/v1/employees</c> routes on the same LiteDB records, written
/// directly against <see cref="ILiteCollection{T}"/> and minimal APIs: no authentication, versioning, ETags, problem
/// details or validation. Pictures: every employee with a picture gets the same bytes from one plain file.
/// </summary>
internal static class BareApi
{
    public static int Run(string[] args)
    {
        var databaseFile = Arguments.Get(args, "--db");
        var pictureFile = Path.GetFullPath(Arguments.Get(args, "--picture"));

        // The same host defaults as the sample (CreateBuilder, console logging at Warning): the comparison is about
        // what the kit adds to a request, not about which host builder is used.
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, BareJsonContext.Default));
        using var database = new LiteDatabase($"Filename={databaseFile}");
        var employees = database.GetCollection("employees", BsonAutoId.Int32);

        var app = builder.Build();

        // The floor: what Kestrel, routing and JSON writing cost on this machine with nothing else in the request.
        app.MapGet("/api/v1/floor", () => Results.Ok(Floor));

        var api = app.MapGroup("/api/v1/employees");
        api.MapGet("/{id:int}", (int id) =>
            employees.FindById(id) is { } document ? Results.Ok(ToBody(document)) : Results.NotFound());
        api.MapPost("/", (EmployeeBody body) =>
        {
            var now = DateTime.UtcNow;
            var document = new BsonDocument
            {
                ["Name"] = body.Name,
                ["Address"] = body.Address,
                ["Version"] = 1L,
                ["CreatedAt"] = now,
                ["UpdatedAt"] = now,
            };
            var id = employees.Insert(document).AsInt32;
            return Results.Created($"/api/v1/employees/{id}", ToBody(document));
        });
        api.MapPut("/{id:int}", (int id, EmployeeBody body) =>
        {
            if (employees.FindById(id) is not { } document)
            {
                return Results.NotFound();
            }

            document["Name"] = body.Name;
            document["Address"] = body.Address;
            document["Version"] = document["Version"].AsInt64 + 1;
            document["UpdatedAt"] = DateTime.UtcNow;
            employees.Update(document);
            return Results.Ok(ToBody(document));
        });
        api.MapGet("/{id:int}/picture", (int id) =>
            employees.FindById(id) is { } document && !document["PictureId"].IsNull
                ? Results.File(pictureFile, "image/png")
                : Results.NotFound());

        app.Run();
        return 0;
    }

    private static readonly EmployeeResponse Floor = new(1, "Employee 1", "1 Load Test Street", null);

    private static EmployeeResponse ToBody(BsonDocument document) => new(
        document["_id"].AsInt32,
        document["Name"].AsString,
        document["Address"].AsString,
        document["PictureId"].IsNull ? null : document["PictureId"].AsString);
}

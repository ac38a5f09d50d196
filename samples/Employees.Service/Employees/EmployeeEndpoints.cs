using Microservice.Kit.Data;
using Microservice.Kit.Problems;
using Microservice.Kit.Versioning;

namespace Employees.Service.Employees;

/// <summary>
/// <c>/api/v1/employees</c> (deprecated) and <c>/api/v2/employees</c>, also served unversioned at <c>/api/employees</c>
/// with the version from the <c>api-version</c> header, query or media type (1.0 when none is sent).
/// </summary>
internal static class EmployeeEndpoints
{
    public static readonly ApiVersion V1 = new(1, 0);
    public static readonly ApiVersion V2 = new(2, 0);

    // v1 is deprecated as of the release that added v2, and goes away half a year later.
    private static readonly DateTimeOffset V1Deprecated = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset V1Sunset = new(2027, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public static void MapEmployeeEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapVersionedGroup("/api", versions => versions
            .HasDeprecatedVersion(V1, V1Deprecated, V1Sunset)
            .HasVersion(V2));
        var employees = api.MapGroup("/employees").WithTags("Employees");

        // One handler serves both versions' shapes: each version's OpenAPI document shows its own (ProducesForVersion).
        employees.MapGet("/", ListAsync).RequirePermission(Permissions.EmployeesList)
            .ProducesForVersion(V1, StatusCodes.Status200OK, typeof(PageResult<EmployeeV1>))
            .ProducesForVersion(V2, StatusCodes.Status200OK, typeof(PageResult<EmployeeV2>))
            .ProducesProblem(StatusCodes.Status400BadRequest);
        employees.MapGet("/{id:int}", GetOneAsync).RequirePermission(Permissions.EmployeesList)
            .ProducesForVersion(V1, StatusCodes.Status200OK, typeof(EmployeeV1))
            .ProducesForVersion(V2, StatusCodes.Status200OK, typeof(EmployeeV2))
            .ProducesProblem(StatusCodes.Status404NotFound);
        employees.MapPost("/", CreateV1Async).MapToApiVersion(V1).RequirePermission(Permissions.EmployeesCreate)
            .Produces<EmployeeV1>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        employees.MapPost("/", CreateV2Async).MapToApiVersion(V2).RequirePermission(Permissions.EmployeesCreate)
            .Produces<EmployeeV2>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        employees.MapPut("/{id:int}", UpdateV1Async).MapToApiVersion(V1).RequirePermission(Permissions.EmployeesUpdate)
            .Produces<EmployeeV1>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        employees.MapPut("/{id:int}", UpdateV2Async).MapToApiVersion(V2).RequirePermission(Permissions.EmployeesUpdate)
            .Produces<EmployeeV2>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        employees.MapDelete("/{id:int}", DeleteAsync).RequirePermission(Permissions.EmployeesDelete)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        employees.MapPictureEndpoints();
    }

    public static async Task<Employee> GetAsync(IRepository<Employee, int> repository, int id, CancellationToken cancellationToken) =>
        await repository.GetAsync(id, cancellationToken) ?? throw NotFound(id);

    private static NotFoundException NotFound(int id) => new($"Employee {id} does not exist.", "EmployeeNotFound");

    private static async Task<IResult> ListAsync(IRepository<Employee, int> repository, HttpContext http, int page = 1, int pageSize = 20)
    {
        var result = await repository.PageAsync(new PageRequest<Employee>(page, pageSize) { OrderBy = e => e.Id }, http.RequestAborted);
        return IsV1(http) ? Results.Ok(result.Map(EmployeeV1.From)) : Results.Ok(result.Map(EmployeeV2.From));
    }

    private static async Task<IResult> GetOneAsync(int id, IRepository<Employee, int> repository, HttpContext http) =>
        Shape(http, await GetAsync(repository, id, http.RequestAborted));

    private static async Task<IResult> CreateV1Async(EmployeeV1Body body, IRepository<Employee, int> repository, HttpContext http) =>
        Created(http, 1, await repository.AddAsync(new Employee { Name = body.Name!, Address = body.Address! }, http.RequestAborted));

    private static async Task<IResult> CreateV2Async(EmployeeV2Body body, IRepository<Employee, int> repository, HttpContext http) =>
        Created(http, 2, await repository.AddAsync(
            new Employee { Name = body.Name!, Address = body.Address!, Email = body.Email, Department = body.Department }, http.RequestAborted));

    private static Task<IResult> UpdateV1Async(int id, EmployeeV1Body body, IRepository<Employee, int> repository, HttpContext http) =>
        UpdateAsync(id, repository, http, e => (e.Name, e.Address) = (body.Name!, body.Address!));

    // A PUT replaces: email and department left out are cleared.
    private static Task<IResult> UpdateV2Async(int id, EmployeeV2Body body, IRepository<Employee, int> repository, HttpContext http) =>
        UpdateAsync(id, repository, http, e => (e.Name, e.Address, e.Email, e.Department) = (body.Name!, body.Address!, body.Email, body.Department));

    /// <summary>
    /// With If-Match the update happens only if nobody changed the employee since the client read it (else 412);
    /// without it, a PUT replaces whatever version is stored: the last writer wins and concurrent PUTs all succeed.
    /// </summary>
    private static async Task<IResult> UpdateAsync(int id, IRepository<Employee, int> repository, HttpContext http, Action<Employee> change)
    {
        var ifMatch = EntityTag.ParseIfMatch(http.Request.Headers.IfMatch);
        return Shape(http, await ChangeAsync(repository, id, change, ifMatch, http.RequestAborted));
    }

    /// <summary>The repository's read-change-write of one employee, with this service's 404 code.</summary>
    public static async Task<Employee> ChangeAsync(
        IRepository<Employee, int> repository, int id, Action<Employee> change, long? ifMatch, CancellationToken cancellationToken)
    {
        try
        {
            return await repository.ModifyAsync(id, change, ifMatch, cancellationToken);
        }
        catch (NotFoundException exception) when (exception.Code == ProblemCodes.NotFound)
        {
            throw NotFound(id);
        }
    }

    private static async Task<IResult> DeleteAsync(int id, IRepository<Employee, int> repository, Pictures pictures, HttpContext http)
    {
        var employee = await GetAsync(repository, id, http.RequestAborted);

        // With If-Match the employee goes only if it is still that version (else 412, and nothing changes); without
        // it, whatever version is stored goes.
        var ifMatch = EntityTag.ParseIfMatch(http.Request.Headers.IfMatch);
        if (!await repository.DeleteAsync(id, ifMatch, http.RequestAborted))
        {
            throw NotFound(id);
        }

        if (employee.PictureId is not null)
        {
            await pictures.Store.DeleteAsync(employee.PictureId, CancellationToken.None);
        }

        return Results.NoContent();
    }

    private static IResult Created(HttpContext http, int version, Employee employee)
    {
        http.Response.Headers.ETag = EntityTag.FromVersion(employee.Version);
        var location = $"/api/v{version}/employees/{employee.Id}";
        return version == 1 ? Results.Created(location, EmployeeV1.From(employee)) : Results.Created(location, EmployeeV2.From(employee));
    }

    /// <summary>The employee in the shape of the request's version, with its ETag.</summary>
    private static IResult Shape(HttpContext http, Employee employee)
    {
        http.Response.Headers.ETag = EntityTag.FromVersion(employee.Version);
        return IsV1(http) ? Results.Ok(EmployeeV1.From(employee)) : Results.Ok(EmployeeV2.From(employee));
    }

    private static bool IsV1(HttpContext http) => http.GetRequestedApiVersion() is not { Major: >= 2 };
}

using Microservice.Kit.Data;
using Microservice.Kit.Files;
using Microservice.Kit.Problems;
using Microsoft.Extensions.Primitives;

namespace Employees.Service.Employees;

/// <summary>
/// Employees' pictures live in their own store (<c>data/pictures</c>, the kit's named store <see cref="StoreName"/>),
/// apart from the generic files, so that <c>files.write</c> cannot touch them. A new picture is stored under a new id
/// before the employee points at it, so a reader sees either the old picture or the new one, never a half-written one.
/// </summary>
internal sealed class Pictures(
    [FromKeyedServices(Pictures.StoreName)] IFileStore store,
    [FromKeyedServices(Pictures.StoreName)] FileUploads uploads)
{
    /// <summary>The named file store, added in Program.cs; its size limit is <c>Employees:MaxPictureBytes</c>.</summary>
    public const string StoreName = "pictures";

    public IFileStore Store { get; } = store;

    public FileUploads Uploads { get; } = uploads;

    /// <summary>Images only; the size limit is the store's own (<see cref="FileStoreOptions.MaxUploadBytes"/>).</summary>
    public UploadPolicy Policy { get; } = new() { Allowed = FileSignatures.Images };
}

internal static class PictureEndpoints
{
    public static void MapPictureEndpoints(this IEndpointRouteBuilder employees)
    {
        employees.MapPut("/{id:int}/picture", PutAsync).RequirePermission(Permissions.EmployeesUpdate)
            .AcceptsFileUpload().Produces<PictureResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        // HEAD answers like GET without the body (RFC 9110 §9.3.2).
        employees.MapMethods("/{id:int}/picture", [HttpMethods.Get, HttpMethods.Head], GetAsync).RequirePermission(Permissions.EmployeesList)
            .ProducesFileDownload();
        employees.MapDelete("/{id:int}/picture", DeleteAsync).RequirePermission(Permissions.EmployeesUpdate)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
    }

    /// <summary>
    /// Without If-Match a PUT replaces whatever picture is stored, last writer wins; with it (the picture's ETag from
    /// GET), only that picture is replaced, else 412 and nothing changes.
    /// </summary>
    private static async Task<IResult> PutAsync(int id, IRepository<Employee, int> repository, Pictures pictures, HttpContext http)
    {
        // 404 and If-Match are checked before the body is read; If-Match again (by picture id) when the employee is written.
        var employee = await EmployeeEndpoints.GetAsync(repository, id, http.RequestAborted);
        var expected = await CheckIfMatchAsync(id, employee, pictures, http, missingIs404: false);
        var stored = await pictures.Uploads.ReadSingleFileAsync(http, pictures.Policy, $"employee-{id}-{Guid.NewGuid():N}");

        string? previous = null;
        try
        {
            await EmployeeEndpoints.ChangeAsync(repository, id, current =>
            {
                ThrowIfReplaced(id, current, expected);
                previous = current.PictureId;
                current.PictureId = stored.FileId;
            }, ifMatch: null, http.RequestAborted);
        }
        catch
        {
            await pictures.Store.DeleteAsync(stored.FileId, CancellationToken.None);
            throw;
        }

        if (previous is not null)
        {
            await pictures.Store.DeleteAsync(previous, CancellationToken.None);
        }

        return Results.Ok(new PictureResponse(stored.FileId, stored.Size, stored.ContentType, stored.Sha256));
    }

    private static async Task<IResult> GetAsync(int id, IRepository<Employee, int> repository, Pictures pictures, HttpContext http)
    {
        var employee = await EmployeeEndpoints.GetAsync(repository, id, http.RequestAborted);
        return employee.PictureId is { } pictureId
            ? FileResults.Download(pictures.Store, pictureId)
            : throw NoPicture(id);
    }

    private static async Task<IResult> DeleteAsync(int id, IRepository<Employee, int> repository, Pictures pictures, HttpContext http)
    {
        var employee = await EmployeeEndpoints.GetAsync(repository, id, http.RequestAborted);
        var expected = await CheckIfMatchAsync(id, employee, pictures, http, missingIs404: true);
        string? removed = null;
        await EmployeeEndpoints.ChangeAsync(repository, id, current =>
        {
            ThrowIfReplaced(id, current, expected);
            removed = current.PictureId ?? throw NoPicture(id);
            current.PictureId = null;
        }, ifMatch: null, http.RequestAborted);
        await pictures.Store.DeleteAsync(removed!, CancellationToken.None);
        return Results.NoContent();
    }

    /// <summary>
    /// Evaluates If-Match against the current picture's ETag (RFC 9110 §13.1.1). Returns the id of the picture it
    /// matched, or <see langword="null"/> when the request has no precondition.
    /// </summary>
    private static async Task<PictureCondition?> CheckIfMatchAsync(
        int id, Employee employee, Pictures pictures, HttpContext http, bool missingIs404)
    {
        if (StringValues.IsNullOrEmpty(http.Request.Headers.IfMatch))
        {
            return null;
        }

        var current = employee.PictureId is { } pictureId ? await pictures.Store.GetInfoAsync(pictureId, http.RequestAborted) : null;
        if (current is null && missingIs404)
        {
            // §13.2.1: a missing resource is 404 before any precondition is evaluated.
            throw NoPicture(id);
        }

        // A PUT with If-Match on no picture is 412: the client expected one to be there. "*" matches any picture.
        var matched = FileResults.CheckIfMatch(http.Request, current);
        return new PictureCondition(matched is null ? null : current!.FileId);
    }

    /// <summary>
    /// A picture id names one upload and its bytes never change, so "the employee still points at the picture
    /// If-Match matched" is "the picture is unchanged"; checked inside the employee's write, it is atomic.
    /// </summary>
    private static void ThrowIfReplaced(int id, Employee employee, PictureCondition? expected)
    {
        if (expected is not null && (expected.PictureId is null
            ? employee.PictureId is null
            : !string.Equals(employee.PictureId, expected.PictureId, StringComparison.Ordinal)))
        {
            throw new PreconditionFailedException($"The picture of employee {id} has changed: If-Match does not name the current one.");
        }
    }

    /// <summary>What If-Match matched: one picture, or any (<c>*</c>) when <paramref name="PictureId"/> is <see langword="null"/>.</summary>
    private sealed record PictureCondition(string? PictureId);

    private static NotFoundException NoPicture(int id) => new($"Employee {id} has no picture.", "PictureNotFound");
}

internal sealed record PictureResponse(string PictureId, long Size, string ContentType, string Sha256);

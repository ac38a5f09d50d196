using Microservice.Kit.Files;
using Microservice.Kit.Problems;

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
            .AcceptsFileUpload().Produces<PictureResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        employees.MapGet("/{id:int}/picture", GetAsync).RequirePermission(Permissions.EmployeesList)
            .ProducesFileDownload();
        employees.MapDelete("/{id:int}/picture", DeleteAsync).RequirePermission(Permissions.EmployeesUpdate)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> PutAsync(int id, EmployeeRepository repository, Pictures pictures, HttpContext http)
    {
        var employee = await EmployeeEndpoints.GetAsync(repository, id, http.RequestAborted);
        var stored = await pictures.Uploads.ReadSingleFileAsync(http, pictures.Policy, $"employee-{id}-{Guid.NewGuid():N}");

        var previous = employee.PictureId;
        employee.PictureId = stored.FileId;
        try
        {
            await repository.UpdateAsync(employee, cancellationToken: http.RequestAborted);
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

    private static async Task<IResult> GetAsync(int id, EmployeeRepository repository, Pictures pictures, HttpContext http)
    {
        var employee = await EmployeeEndpoints.GetAsync(repository, id, http.RequestAborted);
        return employee.PictureId is { } pictureId
            ? FileResults.Download(pictures.Store, pictureId)
            : throw NoPicture(id);
    }

    private static async Task<IResult> DeleteAsync(int id, EmployeeRepository repository, Pictures pictures, HttpContext http)
    {
        var employee = await EmployeeEndpoints.GetAsync(repository, id, http.RequestAborted);
        var pictureId = employee.PictureId ?? throw NoPicture(id);
        employee.PictureId = null;
        await repository.UpdateAsync(employee, cancellationToken: http.RequestAborted);
        await pictures.Store.DeleteAsync(pictureId, CancellationToken.None);
        return Results.NoContent();
    }

    private static NotFoundException NoPicture(int id) => new($"Employee {id} has no picture.", "PictureNotFound");
}

internal sealed record PictureResponse(string PictureId, long Size, string ContentType, string Sha256);

using System.Diagnostics.CodeAnalysis;
using Microservice.Kit.Files;
using Microservice.Kit.Files.Internal;
using Microservice.Kit.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the file upload, download and delete endpoints.</summary>
public static class FileEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST {pattern}</c> (multipart upload: <c>file</c>, optional <c>file_id</c> and <c>overwrite</c>;
    /// 201 with <c>Location</c> and <c>{"fileId","size","contentType","sha256"}</c>), <c>GET {pattern}/{fileId}</c>
    /// (and <c>HEAD</c>: streamed download with ranges and conditional requests) and <c>DELETE {pattern}/{fileId}</c>
    /// (204 / 404; with <c>If-Match</c>, 412 when it names another version).
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The route prefix, for example <c>/api/v1/files</c>.</param>
    /// <param name="policy">Size limit and accepted types of uploads; by default any type up to the store's <see cref="FileStoreOptions.MaxUploadBytes"/>.</param>
    /// <param name="storeName">
    /// The named store to serve (added with <c>AddFileStore(name)</c>); <see langword="null"/> for the unnamed store.
    /// </param>
    /// <returns>A convention builder for all three endpoints, with <see cref="FileEndpointConventionBuilder.Read"/> and <see cref="FileEndpointConventionBuilder.Write"/> for each kind.</returns>
    /// <exception cref="InvalidOperationException"><c>AddFileStore</c> (or <c>AddFileStore(storeName)</c>) was not called.</exception>
    public static FileEndpointConventionBuilder MapFileEndpoints(
        this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern, UploadPolicy? policy = null, string? storeName = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        if (storeName is null)
        {
            if (endpoints.ServiceProvider.GetService(typeof(FileUploads)) is null)
            {
                throw new InvalidOperationException(
                    "app.MapFileEndpoints() needs the file store: call builder.AddMicroserviceKit().AddFileStore() before building the application.");
            }
        }
        else if (endpoints.ServiceProvider.GetService<IServiceProviderIsKeyedService>()?.IsKeyedService(typeof(FileUploads), storeName) != true)
        {
            throw new InvalidOperationException(
                $"app.MapFileEndpoints(..., storeName: \"{storeName}\") needs that store: call builder.AddMicroserviceKit().AddFileStore(\"{storeName}\") before building the application.");
        }

        policy ??= new UploadPolicy();
        var group = endpoints.MapGroup(pattern).WithTags("Files");
        var read = group.MapGroup(string.Empty);
        var write = group.MapGroup(string.Empty);

        // Resolved per request, not here: the stores are created (and their options validated) when the host starts.
        // A null key resolves the unnamed registration.
        IFileStore Store(HttpContext httpContext) => httpContext.RequestServices.GetRequiredKeyedService<IFileStore>(storeName);

        // RFC 9110 §9.3.2: HEAD answers like GET without the body, so a client can check size and ETag first.
        read.MapMethods("/{fileId}", [HttpMethods.Get, HttpMethods.Head], (string fileId, HttpContext httpContext) => FileResults.Download(Store(httpContext), fileId))
            .ProducesFileDownload();

        write.MapPost("/", async (HttpContext httpContext) =>
            {
                var uploads = httpContext.RequestServices.GetRequiredKeyedService<FileUploads>(storeName);
                var info = await uploads.ReadFormAsync(httpContext, policy).ConfigureAwait(false);
                var location = httpContext.Request.PathBase.Add(httpContext.Request.Path).Value!.TrimEnd('/') + "/" + info.FileId;
                return TypedResults.Created(location, new FileUploadResponse(info.FileId, info.Size, info.ContentType, info.Sha256));
            })
            .DescribeUpload(withFields: true);

        write.MapDelete("/{fileId}", async (string fileId, HttpContext httpContext, CancellationToken cancellationToken) =>
            {
                FileIds.Validate(fileId);
                var store = Store(httpContext);
                string? expectedETag = null;
                if (!StringValues.IsNullOrEmpty(httpContext.Request.Headers.IfMatch))
                {
                    // RFC 9110 §13.2.1: a missing file is 404 before any precondition is evaluated.
                    var current = await store.GetInfoAsync(fileId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(fileId);
                    expectedETag = FileResults.CheckIfMatch(httpContext.Request, current);
                }

                var deleted = expectedETag is null
                    ? await store.DeleteAsync(fileId, cancellationToken).ConfigureAwait(false)
                    : await store.DeleteIfMatchAsync(fileId, expectedETag, cancellationToken).ConfigureAwait(false);
                return deleted ? TypedResults.NoContent() : throw NotFound(fileId);
            })
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed);

        return new FileEndpointConventionBuilder(read, write);
    }

    private static NotFoundException NotFound(string fileId) => new($"File '{fileId}' does not exist.", FileProblemCodes.FileNotFound);
}

/// <summary>The body of a 201 answer to an upload.</summary>
/// <param name="FileId">The id the file was stored under.</param>
/// <param name="Size">Its length in bytes.</param>
/// <param name="ContentType">The media type it is served with.</param>
/// <param name="Sha256">Its SHA-256, 64 lowercase hexadecimal digits.</param>
internal sealed record FileUploadResponse(string FileId, long Size, string ContentType, string Sha256);

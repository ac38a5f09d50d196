using Microservice.Kit.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Microservice.Kit.Files;

/// <summary>Endpoint results that serve stored files.</summary>
public static class FileResults
{
    /// <summary>
    /// Serves a stored file, streamed: its content type, <c>ETag</c> (the SHA-256), <c>Last-Modified</c>,
    /// <c>Accept-Ranges: bytes</c>, <c>Range</c> (206, or 416 when unsatisfiable), <c>If-None-Match</c> and
    /// <c>If-Modified-Since</c> (304), <c>If-Match</c> (412), and <c>Content-Disposition: attachment</c> with the
    /// sanitised original name. An invalid id is 400 <c>InvalidFileId</c>; a missing file is 404 <c>FileNotFound</c>.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="fileId">The file's id.</param>
    /// <returns>The result.</returns>
    public static IResult Download(IFileStore store, string fileId)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new DownloadResult(store, fileId);
    }

    private sealed class DownloadResult(IFileStore store, string fileId) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            FileIds.Validate(fileId);
            var file = await store.OpenReadAsync(fileId, httpContext.RequestAborted).ConfigureAwait(false)
                ?? throw new NotFoundException($"File '{fileId}' does not exist.", FileProblemCodes.FileNotFound);
            await using (file.ConfigureAwait(false))
            {
                // Stored types come from clients: never let a browser sniff its way to rendering HTML or script.
                httpContext.Response.Headers.XContentTypeOptions = "nosniff";

                // ASP.NET Core's stream result implements RFC 9110 ranges and conditional requests; the kit adds
                // the metadata it needs and does not re-implement them.
                var result = TypedResults.Stream(
                    file.Content,
                    file.Info.ContentType,
                    file.Info.FileName ?? file.Info.FileId,
                    file.Info.CreatedAt,
                    new EntityTagHeaderValue(file.Info.ETag),
                    enableRangeProcessing: true);
                await result.ExecuteAsync(httpContext).ConfigureAwait(false);
            }
        }
    }
}

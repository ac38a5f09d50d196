using Microservice.Kit.Files.Internal;
using Microservice.Kit.Problems;
using Microservice.Kit.Problems.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Microservice.Kit.Files;

/// <summary>Endpoint results that serve stored files.</summary>
public static class FileResults
{
    /// <summary>
    /// Serves a stored file, streamed, as RFC 9110 describes: its content type, <c>ETag</c> (the SHA-256),
    /// <c>Last-Modified</c>, <c>Accept-Ranges: bytes</c>, <c>Range</c> in bytes (206, or 416 when unsatisfiable; other
    /// units are ignored, §14.2), <c>If-Range</c> (an entity tag or exactly <c>Last-Modified</c>, §13.1.5),
    /// <c>If-None-Match</c> and <c>If-Modified-Since</c> (304), <c>If-Match</c> and <c>If-Unmodified-Since</c> (412; the
    /// latter ignored beside <c>If-Match</c>, §13.1.4), <c>HEAD</c> (the same headers, no body), and
    /// <c>Content-Disposition: attachment</c> with the sanitised original name. An invalid id is 400
    /// <c>InvalidFileId</c>; a missing file is 404 <c>FileNotFound</c>.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="fileId">The file's id.</param>
    /// <returns>The result.</returns>
    public static IResult Download(IFileStore store, string fileId)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new DownloadResult(store, fileId);
    }

    /// <summary>
    /// Evaluates the request's <c>If-Match</c> (RFC 9110 §13.1.1) before a write or delete of a stored file: it holds
    /// when it is <c>*</c> and the file exists, or when one of its strong entity tags is the file's <see cref="StoredFileInfo.ETag"/>.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="current">The file as stored now, or <see langword="null"/> when there is none.</param>
    /// <returns>
    /// <see langword="null"/> when the request carries no <c>If-Match</c>, or <c>*</c> for an existing file (go ahead
    /// unconditionally); otherwise the ETag that matched, to pass to <see cref="IFileStore.DeleteIfMatchAsync"/>
    /// so that the store checks it again atomically.
    /// </returns>
    /// <exception cref="PreconditionFailedException">
    /// <c>If-Match</c> is present and does not hold: the file is missing, or none of the tags is its current one
    /// (a weak or malformed tag never matches). 412, code <c>PreconditionFailed</c>.
    /// </exception>
    public static string? CheckIfMatch(HttpRequest request, StoredFileInfo? current)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ifMatch = request.Headers.IfMatch;
        if (StringValues.IsNullOrEmpty(ifMatch))
        {
            return null;
        }

        var fileId = current?.FileId ?? "the file";
        if (current is null || !EntityTagHeaderValue.TryParseStrictList(ifMatch, out var tags))
        {
            throw FilePreconditions.Failed(fileId);
        }

        foreach (var tag in tags)
        {
            if (tag.Equals(EntityTagHeaderValue.Any))
            {
                return null;
            }

            if (!tag.IsWeak && tag.Tag.Equals(current.ETag, StringComparison.Ordinal))
            {
                return current.ETag;
            }
        }

        throw FilePreconditions.Failed(fileId);
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

                var lastModified = FilePreconditions.ToHttpDate(file.Info.CreatedAt);
                FilePreconditions.IgnoreWhatRfc9110Ignores(httpContext.Request, lastModified);

                // ASP.NET Core's stream result implements RFC 9110 ranges and conditional requests; the kit adds
                // the metadata it needs and does not re-implement them.
                var result = TypedResults.Stream(
                    file.Content,
                    file.Info.ContentType,
                    file.Info.FileName ?? file.Info.FileId,
                    lastModified,
                    new EntityTagHeaderValue(file.Info.ETag),
                    enableRangeProcessing: true);
                await result.ExecuteAsync(httpContext).ConfigureAwait(false);
                if (httpContext.Response.StatusCode == StatusCodes.Status416RangeNotSatisfiable && !httpContext.Response.HasStarted)
                {
                    await WriteRangeNotSatisfiableAsync(httpContext, file.Info.Size).ConfigureAwait(false);
                }
            }
        }

        // ASP.NET Core answers an unsatisfiable range with an empty 416 carrying the file's type and an empty length,
        // which status code pages leave alone; every error of the kit is a problem document, so write one, keeping
        // the Content-Range: bytes */size that tells the client the file's length (RFC 9110 §15.5.17).
        private static async Task WriteRangeNotSatisfiableAsync(HttpContext httpContext, long size)
        {
            var response = httpContext.Response;
            response.ContentLength = null;
            response.ContentType = null;
            // The problem is not the file: a client must not save it under the file's name.
            response.Headers.ContentDisposition = default;
            var problem = ProblemFactory.Create(416, ProblemCodes.RangeNotSatisfiable, "Range not satisfiable",
                size == 0
                    ? "The file is empty, so no byte range of it can be served; request it without a Range header."
                    : $"The requested range lies outside the file, which is {size} bytes long; request bytes within 0-{size - 1}.");
            await ProblemWriter.WriteAsync(httpContext, httpContext.RequestServices.GetRequiredService<IProblemDetailsService>(), problem).ConfigureAwait(false);
        }
    }
}

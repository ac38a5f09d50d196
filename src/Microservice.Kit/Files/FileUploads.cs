using System.Text;
using Microservice.Kit.Files.Internal;
using Microservice.Kit.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Microservice.Kit.Files;

/// <summary>
/// Streams a <c>multipart/form-data</c> upload straight from the request into the <see cref="IFileStore"/>:
/// no <c>IFormFile</c>, no buffering of the file, the size limit and type check applied while it arrives.
/// Resolve it from DI (registered by <c>AddFileStore</c>; a named store's is keyed by its name, <c>[FromKeyedServices("pictures")]</c>).
/// </summary>
/// <example>
/// An entity-attached file in a few lines:
/// <code>
/// app.MapPut("/api/v1/employees/{id}/picture", async (int id, HttpContext http, FileUploads uploads) =>
/// {
///     var picture = await uploads.ReadSingleFileAsync(http,
///         new UploadPolicy { MaxBytes = 10 * 1024 * 1024, Allowed = FileSignatures.Images }, $"employee-{id}-picture", overwrite: true);
///     return Results.Ok(picture);
/// });
/// app.MapGet("/api/v1/employees/{id}/picture", (int id, IFileStore store) => FileResults.Download(store, $"employee-{id}-picture"));
/// </code>
/// </example>
public sealed class FileUploads
{
    private const string FileIdField = "file_id";
    private const string OverwriteField = "overwrite";

    private readonly IFileStore _store;
    private readonly FileStoreOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the reader.</summary>
    /// <param name="store">Where files go.</param>
    /// <param name="options">The store's options (the default size limit).</param>
    /// <param name="logger">The logger.</param>
    public FileUploads(IFileStore store, IOptions<FileStoreOptions> options, ILogger<FileUploads> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>
    /// Stores the one file part of a multipart request (part <see cref="UploadPolicy.FileFieldName"/>) under
    /// <paramref name="fileId"/>; other parts are skipped.
    /// </summary>
    /// <param name="httpContext">The request.</param>
    /// <param name="policy">Size limit and accepted types.</param>
    /// <param name="fileId">The id to store the file under.</param>
    /// <param name="overwrite">Whether an existing file under the id is replaced.</param>
    /// <returns>What was stored.</returns>
    /// <exception cref="KitException">
    /// 400 <c>InvalidFileId</c> or <c>InvalidUpload</c>; 409 <c>FileExists</c>; 413 <c>PayloadTooLarge</c>;
    /// 415 <c>UnsupportedMediaType</c> (not multipart, or the content is not an allowed type). Nothing is kept on any of
    /// them, and an existing file is not replaced: the whole form is read and checked before the store publishes.
    /// </exception>
    public Task<StoredFileInfo> ReadSingleFileAsync(HttpContext httpContext, UploadPolicy policy, string fileId, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(policy);
        FileIds.Validate(fileId);
        return ReceiveAsync(httpContext, policy, fileId, overwrite, readFields: false);
    }

    /// <summary>
    /// Stores the file of an upload form with the fields <c>file</c>, optional <c>file_id</c> (a new id when
    /// absent) and optional <c>overwrite</c> (<c>true</c>/<c>false</c>). <c>file_id</c> and <c>overwrite</c> must
    /// come before <c>file</c>, as browsers, curl and HttpClient send them when added first: the file is
    /// streamed to the store as it arrives, so its id must be known by then.
    /// </summary>
    /// <param name="httpContext">The request.</param>
    /// <param name="policy">Size limit and accepted types.</param>
    /// <returns>What was stored.</returns>
    /// <exception cref="KitException">As for <see cref="ReadSingleFileAsync"/>.</exception>
    public Task<StoredFileInfo> ReadFormAsync(HttpContext httpContext, UploadPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(policy);
        return ReceiveAsync(httpContext, policy, fileId: null, overwrite: false, readFields: true);
    }

    private static BadRequestException InvalidUpload(string detail) => new(detail, FileProblemCodes.InvalidUpload);

    private async Task<StoredFileInfo> ReceiveAsync(HttpContext httpContext, UploadPolicy policy, string? fileId, bool overwrite, bool readFields)
    {
        var cancellationToken = httpContext.RequestAborted;
        var maxBytes = policy.MaxBytes ?? _options.MaxUploadBytes;
        try
        {
            var reader = OpenMultipart(httpContext.Request, httpContext.Features, maxBytes);
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                var name = NameOf(section, out var disposition);
                if (string.Equals(name, policy.FileFieldName, StringComparison.Ordinal))
                {
                    fileId ??= FileIds.NewId();

                    // The store reads the rest of the form (see ReadRestAsync) before it publishes, so when this
                    // returns the whole form was read and found valid.
                    return await StoreAsync(section, disposition!, fileId, overwrite, maxBytes, policy,
                        ct => ReadRestAsync(reader, policy, readFields, ct), cancellationToken).ConfigureAwait(false);
                }

                if (readFields && name is FileIdField or OverwriteField)
                {
                    var value = await ReadFieldAsync(section, cancellationToken).ConfigureAwait(false);
                    if (name == FileIdField)
                    {
                        fileId = FileIds.Validate(value);
                    }
                    else
                    {
                        overwrite = bool.TryParse(value, out var parsed)
                            ? parsed
                            : throw InvalidUpload("The 'overwrite' field must be 'true' or 'false'.");
                    }
                }
                else
                {
                    // Unknown parts are read past, still under the request's size limit.
                    await section.Body.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                }
            }

            throw InvalidUpload($"The form has no '{policy.FileFieldName}' part.");
        }
        catch (Exception exception)
        {
            var translated = Translate(exception, cancellationToken);
            var (status, reason) = translated switch
            {
                KitException kit => (kit.StatusCode, kit.Code),
                BadHttpRequestException bad => (bad.StatusCode, "server_limit"),
                _ => (499, "aborted"),
            };
            Log.UploadRejected(_logger, "upload", status, reason);
            if (ReferenceEquals(translated, exception))
            {
                throw;
            }

            throw translated;
        }
    }

    private static string? NameOf(MultipartSection section, out ContentDispositionHeaderValue? disposition)
    {
        disposition = section.GetContentDispositionHeader();
        return disposition is null ? null : HeaderUtilities.RemoveQuotes(disposition.Name).Value;
    }

    /// <summary>
    /// Reads the parts after the file part, while the store still holds the file unpublished: a second file part or
    /// a field that had to come first makes the whole upload fail, and the store keeps nothing.
    /// </summary>
    private static async Task ReadRestAsync(MultipartReader reader, UploadPolicy policy, bool readFields, CancellationToken cancellationToken)
    {
        while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
        {
            var name = NameOf(section, out _);
            if (string.Equals(name, policy.FileFieldName, StringComparison.Ordinal))
            {
                throw InvalidUpload($"The form has more than one '{policy.FileFieldName}' part.");
            }

            if (readFields && name is FileIdField or OverwriteField)
            {
                throw InvalidUpload($"The '{name}' field must come before the '{policy.FileFieldName}' part.");
            }

            await section.Body.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }
    }

    private static MultipartReader OpenMultipart(HttpRequest request, IFeatureCollection features, long maxBytes)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new UnsupportedMediaTypeException("Send the file as multipart/form-data.");
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;

        // RFC 2046 section 5.1.1: a boundary is 1 to 70 characters.
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 70)
        {
            throw InvalidUpload("The multipart boundary is missing or longer than 70 characters.");
        }

        var limit = maxBytes + FileStoreConstants.MultipartOverheadBytes;
        if (request.ContentLength > limit)
        {
            throw new PayloadTooLargeException($"The file is larger than the limit of {maxBytes} bytes.");
        }

        // Raise (or lower) the server's own limit (Kestrel's default is 30,000,000 bytes) to this endpoint's, so
        // that the server cuts off an oversized chunked body too.
        if (features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        return new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 16 * 1024 };
    }

    private static async Task<string> ReadFieldAsync(MultipartSection section, CancellationToken cancellationToken)
    {
        var buffer = new byte[FileStoreConstants.MaxFieldBytes + 1];
        var read = await section.Body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read > FileStoreConstants.MaxFieldBytes)
        {
            throw InvalidUpload($"A form field is longer than {FileStoreConstants.MaxFieldBytes} bytes.");
        }

        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static Exception Translate(Exception exception, CancellationToken requestAborted) => exception switch
    {
        KitException or OperationCanceledException or BadHttpRequestException => exception,
        IOException when requestAborted.IsCancellationRequested => new OperationCanceledException("The client aborted the upload.", exception, requestAborted),
        IOException or InvalidDataException => InvalidUpload("The multipart body is malformed or ends early."),
        _ => exception,
    };

    private async Task<StoredFileInfo> StoreAsync(
        MultipartSection section,
        ContentDispositionHeaderValue disposition,
        string fileId,
        bool overwrite,
        long maxBytes,
        UploadPolicy policy,
        Func<CancellationToken, Task> readRest,
        CancellationToken cancellationToken)
    {
        if (!overwrite && await _store.ExistsAsync(fileId, cancellationToken).ConfigureAwait(false))
        {
            // Fail fast, before the body is read; the store's publish still decides a race atomically.
            throw new ConflictException($"A file with id '{fileId}' already exists.", FileProblemCodes.FileExists);
        }

        var header = new byte[FileStoreConstants.SignatureBytes];
        var headerLength = await section.Body.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var leading = header.AsSpan(0, headerLength);
        string contentType;
        if (policy.Allowed is { } allowed)
        {
            contentType = FileSignatures.Detect(leading, allowed)?.ContentType
                ?? throw new UnsupportedMediaTypeException(
                    "The file's content is not of an accepted type (" + string.Join(", ", allowed.Select(s => s.ContentType).Distinct()) + ").");
        }
        else
        {
            var declared = FileMetadataRules.SanitizeContentType(section.ContentType);
            contentType = declared is not null && !declared.Equals(FileMetadataRules.DefaultContentType, StringComparison.OrdinalIgnoreCase)
                ? declared
                : FileSignatures.Detect(leading)?.ContentType ?? FileMetadataRules.DefaultContentType;
        }

        var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value ?? HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
        var content = new UploadContentStream(header, headerLength, section.Body, maxBytes, readRest);
        return await _store.WriteAsync(
            fileId,
            content,
            new FileWriteOptions { ContentType = contentType, FileName = fileName, Overwrite = overwrite },
            cancellationToken).ConfigureAwait(false);
    }
}

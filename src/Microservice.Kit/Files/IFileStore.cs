namespace Microservice.Kit.Files;

/// <summary>
/// Stores files by id. Every member is asynchronous, cancellable and streaming, and the contract carries no
/// file-system types, so that an object-store backend can replace the local disk without changing callers.
/// </summary>
/// <remarks>
/// Every id is checked with <see cref="FileIds.Validate"/> first: an invalid id throws
/// <see cref="Problems.BadRequestException"/> with code <see cref="FileProblemCodes.InvalidFileId"/> and touches
/// no storage. A write is all-or-nothing: readers see the previous version (or nothing) until the new content
/// and its metadata are complete.
/// </remarks>
public interface IFileStore
{
    /// <summary>Writes <paramref name="content"/> under <paramref name="fileId"/>, reading it once to its end.</summary>
    /// <param name="fileId">The file's id.</param>
    /// <param name="content">The content; read forward only, never buffered whole.</param>
    /// <param name="options">Content type, original name and whether an existing file may be replaced.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is kept.</param>
    /// <returns>What was stored, with its size and SHA-256.</returns>
    /// <exception cref="Problems.ConflictException">The id exists and <see cref="FileWriteOptions.Overwrite"/> is false (code <see cref="FileProblemCodes.FileExists"/>).</exception>
    Task<StoredFileInfo> WriteAsync(string fileId, Stream content, FileWriteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Opens a file for reading.</summary>
    /// <param name="fileId">The file's id.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The file with a seekable content stream the caller disposes, or <see langword="null"/> when there is none.</returns>
    Task<StoredFile?> OpenReadAsync(string fileId, CancellationToken cancellationToken = default);

    /// <summary>Reads a file's metadata without its content.</summary>
    /// <param name="fileId">The file's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The metadata, or <see langword="null"/> when there is no such file.</returns>
    Task<StoredFileInfo?> GetInfoAsync(string fileId, CancellationToken cancellationToken = default);

    /// <summary>Tells whether a file exists.</summary>
    /// <param name="fileId">The file's id.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns><see langword="true"/> when a complete file is stored under the id.</returns>
    Task<bool> ExistsAsync(string fileId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a file. Readers that already opened it finish reading the old content.</summary>
    /// <param name="fileId">The file's id.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns><see langword="true"/> when a file was deleted, <see langword="false"/> when there was none.</returns>
    Task<bool> DeleteAsync(string fileId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a file only if it is still the version <paramref name="expectedETag"/> names (RFC 9110 §13.1.1
    /// <c>If-Match</c>): the check and the delete are one atomic step, so a version written in between is never deleted.
    /// </summary>
    /// <param name="fileId">The file's id.</param>
    /// <param name="expectedETag">The <see cref="StoredFileInfo.ETag"/> the caller expects, quotes included.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns><see langword="true"/> when the file was deleted, <see langword="false"/> when there was none.</returns>
    /// <exception cref="Problems.PreconditionFailedException">The stored file has another ETag (412 <c>PreconditionFailed</c>); nothing is deleted.</exception>
    Task<bool> DeleteIfMatchAsync(string fileId, string expectedETag, CancellationToken cancellationToken = default);

    /// <summary>Lists files whose id starts with <paramref name="prefix"/>, in ordinal order of their ids, one page at a time.</summary>
    /// <param name="prefix">The id prefix, or <see langword="null"/> or empty for every file.</param>
    /// <param name="pageSize">The most items to return, 1 to 1000.</param>
    /// <param name="continuationToken">The <see cref="FileListPage.ContinuationToken"/> of the previous page, or <see langword="null"/> for the first.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>A page of files and the token of the next page.</returns>
    Task<FileListPage> ListAsync(string? prefix = null, int pageSize = 100, string? continuationToken = null, CancellationToken cancellationToken = default);
}

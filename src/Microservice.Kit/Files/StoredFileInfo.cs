namespace Microservice.Kit.Files;

/// <summary>The metadata kept beside a stored file's content.</summary>
/// <param name="FileId">The file's id.</param>
/// <param name="Size">The content's length in bytes.</param>
/// <param name="ContentType">The media type the content is served with.</param>
/// <param name="FileName">The sanitised original file name the client sent, or <see langword="null"/>.</param>
/// <param name="Sha256">The SHA-256 of the content, 64 lowercase hexadecimal digits.</param>
/// <param name="CreatedAt">When this version of the file was written.</param>
public sealed record StoredFileInfo(string FileId, long Size, string ContentType, string? FileName, string Sha256, DateTimeOffset CreatedAt)
{
    /// <summary>The strong HTTP entity tag of this version: the quoted SHA-256.</summary>
    public string ETag => "\"" + Sha256 + "\"";
}

/// <summary>An open stored file: its metadata and its content. Dispose it (or its <see cref="Content"/>) when done.</summary>
public sealed class StoredFile : IAsyncDisposable, IDisposable
{
    /// <summary>Creates an open file.</summary>
    /// <param name="info">The file's metadata.</param>
    /// <param name="content">The content, seekable and exactly <see cref="StoredFileInfo.Size"/> bytes long.</param>
    public StoredFile(StoredFileInfo info, Stream content)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(content);
        Info = info;
        Content = content;
    }

    /// <summary>The file's metadata.</summary>
    public StoredFileInfo Info { get; }

    /// <summary>The content, seekable so that ranges can be served.</summary>
    public Stream Content { get; }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Content.DisposeAsync();

    /// <inheritdoc/>
    public void Dispose() => Content.Dispose();
}

/// <summary>How <see cref="IFileStore.WriteAsync"/> stores a file.</summary>
public sealed class FileWriteOptions
{
    /// <summary>The media type to serve the content with.</summary>
    /// <value>The default is <c>application/octet-stream</c>.</value>
    public string ContentType { get; init; } = "application/octet-stream";

    /// <summary>The client's original file name; it is sanitised (path, control and quote characters removed, at most 255 characters).</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? FileName { get; init; }

    /// <summary>Whether an existing file under the id is replaced; when <see langword="false"/> the write fails with 409 <c>FileExists</c>.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Overwrite { get; init; }
}

/// <summary>A page of <see cref="IFileStore.ListAsync"/>.</summary>
/// <param name="Items">The files of this page, in ordinal order of their ids.</param>
/// <param name="ContinuationToken">Pass it to get the next page; <see langword="null"/> on the last page.</param>
public sealed record FileListPage(IReadOnlyList<StoredFileInfo> Items, string? ContinuationToken);

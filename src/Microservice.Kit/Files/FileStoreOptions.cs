using System.ComponentModel.DataAnnotations;

namespace Microservice.Kit.Files;

/// <summary>
/// What every file store shares, whatever its provider; bound from <c>MicroserviceKit:Files</c> (the unnamed store) or
/// <c>MicroserviceKit:Files:Stores:&lt;name&gt;</c>. Each provider binds its own options from the same section
/// (<see cref="LocalFileStoreOptions"/> for <c>Local</c>).
/// </summary>
public sealed class FileStoreOptions
{
    /// <summary>
    /// The provider that stores the files: <c>Local</c>, <c>InMemory</c>, or one a provider package adds (<c>S3</c>),
    /// compared without case. A provider call in code (<c>UseLocalDisk</c>, <c>UseInMemory</c>, <c>UseS3</c>) sets it.
    /// </summary>
    /// <value>The default is <c>Local</c>.</value>
    [Required(ErrorMessage = "is required")]
    public string Backend { get; set; } = LocalFileStoreProvider.BackendName;

    /// <summary>The largest file an upload may carry, in bytes; a larger one is answered with 413 and nothing is kept.</summary>
    /// <value>The default is 104,857,600 (100 MiB).</value>
    [Range(1L, long.MaxValue, ErrorMessage = "must be at least 1 byte")]
    public long MaxUploadBytes { get; set; } = FileStoreConstants.DefaultMaxUploadBytes;
}

/// <summary>The options of the <c>Local</c> provider (<see cref="LocalFileStore"/>), bound from the store's section.</summary>
public sealed class LocalFileStoreOptions
{
    /// <summary>The directory the store keeps files in; a relative path is under the application's content root.</summary>
    /// <value>The default is <c>data/files</c> for the unnamed store and <c>data/&lt;name&gt;</c> for a named one.</value>
    public string? RootPath { get; set; }

    /// <summary>
    /// The most bytes the store may hold, counting each stored file's content and its 4 KiB header; a write
    /// that would go past it is answered with 507 (<c>InsufficientStorage</c>) and nothing is kept. Counted by this
    /// process from the files in <see cref="RootPath"/> at start, so give each process its own root.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no quota.</value>
    [Range(1L, long.MaxValue, ErrorMessage = "must be at least 1 byte")]
    public long? MaxTotalBytes { get; set; }

    /// <summary>
    /// The free space the store leaves on its volume for everything else (the database, logs, the operating
    /// system): a write that would leave less is answered with 507 (<c>InsufficientStorage</c>) and nothing is
    /// kept. Checked before a write and as it streams. On a volume smaller than ten times this value the reserve is
    /// a tenth of the volume, so that a small disk (a container volume, a tmpfs in tests) stays usable. 0 turns the
    /// reserve off; a write that finds the disk full is a 507 all the same.
    /// </summary>
    /// <value>The default is 268,435,456 (256 MiB).</value>
    [Range(0L, long.MaxValue, ErrorMessage = "must be 0 or more")]
    public long MinFreeBytes { get; set; } = FileStoreConstants.DefaultMinFreeBytes;

    /// <summary>
    /// Whether the store flushes a file to the disk (fsync) before moving it into place, so that a power
    /// loss cannot leave a complete-looking file with missing content. Turn off only for scratch data.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool FlushToDisk { get; set; } = true;
}

using System.ComponentModel.DataAnnotations;

namespace Microservice.Kit.Files;

/// <summary>Where and how files are stored; bound from <c>MicroserviceKit:Files</c>.</summary>
public sealed class FileStoreOptions
{
    /// <summary>Which store <see cref="IFileStore"/> resolves to.</summary>
    /// <value>The default is <see cref="FileStoreBackend.Local"/>.</value>
    public FileStoreBackend Backend { get; set; } = FileStoreBackend.Local;

    /// <summary>
    /// The directory the local store keeps files in; a relative path is under the application's content root.
    /// Required when <see cref="Backend"/> is <see cref="FileStoreBackend.Local"/>.
    /// </summary>
    /// <value>The default is <c>data/files</c>.</value>
    public string? RootPath { get; set; } = "data/files";

    /// <summary>The largest file an upload may carry, in bytes; a larger one is answered with 413 and nothing is kept.</summary>
    /// <value>The default is 104,857,600 (100 MiB).</value>
    [Range(1L, long.MaxValue, ErrorMessage = "must be at least 1 byte")]
    public long MaxUploadBytes { get; set; } = FileStoreConstants.DefaultMaxUploadBytes;

    /// <summary>
    /// The most bytes the local store may hold, counting each stored file's content and its 4 KiB header; a write
    /// that would go past it is answered with 507 (<c>InsufficientStorage</c>) and nothing is kept. Counted by this
    /// process from the files in <see cref="RootPath"/> at start, so give each process its own root.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no quota.</value>
    [Range(1L, long.MaxValue, ErrorMessage = "must be at least 1 byte")]
    public long? MaxTotalBytes { get; set; }

    /// <summary>
    /// The free space the local store leaves on its volume for everything else (the database, logs, the operating
    /// system): a write that would leave less is answered with 507 (<c>InsufficientStorage</c>) and nothing is
    /// kept. Checked before a write and as it streams. On a volume smaller than ten times this value the reserve is
    /// a tenth of the volume, so that a small disk (a container volume, a tmpfs in tests) stays usable. 0 turns the
    /// reserve off; a write that finds the disk full is a 507 all the same.
    /// </summary>
    /// <value>The default is 268,435,456 (256 MiB).</value>
    [Range(0L, long.MaxValue, ErrorMessage = "must be 0 or more")]
    public long MinFreeBytes { get; set; } = FileStoreConstants.DefaultMinFreeBytes;

    /// <summary>
    /// Whether the local store flushes a file to the disk (fsync) before moving it into place, so that a power
    /// loss cannot leave a complete-looking file with missing content. Turn off only for scratch data.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool FlushToDisk { get; set; } = true;
}

/// <summary>The storage behind <see cref="IFileStore"/>.</summary>
public enum FileStoreBackend
{
    /// <summary>Files on the local disk under <see cref="FileStoreOptions.RootPath"/> (<see cref="LocalFileStore"/>).</summary>
    Local = 0,

    /// <summary>Files in process memory, lost on restart; for tests (<see cref="InMemoryFileStore"/>).</summary>
    InMemory = 1,
}

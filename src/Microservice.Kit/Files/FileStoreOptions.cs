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

namespace Microservice.Kit.Files;

/// <summary>Internal defaults of the Files feature, with the reasons for their values.</summary>
internal static class FileStoreConstants
{
    public const string SectionName = "Files";

    /// <summary>The section of the named stores, under <see cref="SectionName"/>: <c>MicroserviceKit:Files:Stores:&lt;name&gt;</c>.</summary>
    public const string StoresSectionName = SectionName + ":Stores";

    /// <summary>The directory a named store's default root is in (<c>data/&lt;name&gt;</c>), like the unnamed store's <c>data/files</c>.</summary>
    public const string DefaultDataDirectory = "data";

    public const long DefaultMaxUploadBytes = 100L * 1024 * 1024;

    /// <summary>
    /// The free space a store leaves on its volume: enough for LiteDB's log to grow by a few thousand pages and for
    /// the system's own logs, so that filling the store never starves the database of space.
    /// </summary>
    public const long DefaultMinFreeBytes = 256L * 1024 * 1024;

    /// <summary>On a small volume the reserve is this fraction of its size (1/10), so that a 64 MiB disk is not refused outright.</summary>
    public const int SmallVolumeReserveDivisor = 10;

    /// <summary>
    /// Bytes of a request beyond the file itself: multipart boundaries, part headers and the small fields.
    /// The server's body limit is the file limit plus this, so a file just under the limit is never cut off.
    /// </summary>
    public const long MultipartOverheadBytes = 64 * 1024;

    /// <summary>The longest value of a text field (<c>file_id</c>, <c>overwrite</c>) read from a form.</summary>
    public const int MaxFieldBytes = 1024;

    /// <summary>The number of leading bytes inspected for a signature; the longest built-in one needs 12.</summary>
    public const int SignatureBytes = 64;

    /// <summary>
    /// Chunk size of the store's copy loop: large enough that syscalls do not matter (256 per 64 MiB), small
    /// enough that many concurrent uploads hold little memory (one pooled buffer each).
    /// </summary>
    public const int CopyBufferBytes = 256 * 1024;

    /// <summary>
    /// How many written bytes the local store hands to the disk at a time while it still copies (when it fsyncs):
    /// large enough for few system calls (16 per 64 MiB), small enough that the final fsync waits for little.
    /// </summary>
    public const long WriteBehindBytes = 4 * 1024 * 1024;

    /// <summary>The temporary files of unfinished writes: ids cannot start with '.', so no id collides with them.</summary>
    public const string TempPrefix = ".tmp-";

    /// <summary>The longest original file name kept, in characters.</summary>
    public const int MaxFileNameLength = 255;

    /// <summary>The longest content type kept, in characters.</summary>
    public const int MaxContentTypeLength = 255;

    public const int MaxPageSize = 1000;
}

using System.Buffers;
using System.Security.Cryptography;
using Microservice.Kit.Files.Internal;
using Microservice.Kit.Problems;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OwnerOnly = Microservice.Kit.Hosting.Internal.OwnerOnly;
using StorageErrors = Microservice.Kit.Problems.Internal.StorageErrors;

namespace Microservice.Kit.Files;

/// <summary>
/// The default <see cref="IFileStore"/>: files in one directory on the local disk, one file per id, the metadata
/// in a 4 KiB header in front of the content so that one atomic rename publishes both.
/// </summary>
/// <remarks>
/// <para>A write streams to a temporary file (<c>.tmp-*</c>) in the same directory, hashing as it goes, flushes it
/// to the disk and only then moves it into place: a reader sees the old file or the new one, never a part, and a
/// crash leaves only a temporary file, which the next start removes (so give each process its own root).</para>
/// <para>Create-if-absent publishes with a hard link (<c>link(2)</c>) on Unix and <c>MoveFileEx</c> without
/// replace on Windows: the operating system lets exactly one of several concurrent writers of an id win, with no
/// window between a check and the write. Ids are case-sensitive on Linux and not
/// on Windows or macOS.</para>
/// <para>Used through <c>AddFileStore</c> (the <c>Local</c> provider), the kit adds metrics, logs and activities
/// around it; constructed directly it stores files and nothing else.</para>
/// <para>Space is checked before a write and after every chunk it streams: a write that would pass the quota or eat
/// into the free-space reserve, or that the operating system refuses for a full disk, fails with
/// <see cref="InsufficientStorageException"/> (507) and its temporary file is removed. The root is created 0700 and
/// every file 0600 on Unix.</para>
/// </remarks>
public sealed class LocalFileStore : IFileStore
{
    /// <summary>
    /// The write's chunk: each is read, hashed and written as one piece, with one hand-off between the two threads of
    /// the copy. Four times the read path's buffer: with fewer, larger pieces the durable write kept up with an
    /// fsyncing copy where 256 KiB did not (docs/performance.md, "file store write"); two such pooled buffers per write
    /// in progress.
    /// </summary>
    private const int WriteChunkBytes = 1024 * 1024;

    private const string Backend = "local";

    private readonly string _rootWithSeparator;
    private readonly bool _flushToDisk;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly long? _maxTotalBytes;
    private readonly long _reserveBytes;
    private readonly DriveInfo? _drive;

    // Publishing over an existing file and deleting one adjust _usedBytes by the old file's length, read just before;
    // this lock keeps two of them on one id from both subtracting the same file.
    private readonly Lock _accounting = new();
    private long _usedBytes;

    // Publishing a write and a delete that checks the ETag first take turns, so that no new version can be
    // published between the check and the delete. A rename is short; the conditional delete reads one 4 KiB header.
    private readonly Lock _publishGate = new();

    /// <summary>Creates the store, creating <paramref name="rootPath"/> if needed and removing unfinished writes left in it.</summary>
    /// <param name="rootPath">The directory that holds the files; relative paths are relative to the current directory.</param>
    /// <param name="flushToDisk">Whether each write is flushed to the disk before it is published (see <see cref="LocalFileStoreOptions.FlushToDisk"/>).</param>
    /// <param name="timeProvider">The clock for <see cref="StoredFileInfo.CreatedAt"/>; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <param name="maxTotalBytes">The quota (see <see cref="LocalFileStoreOptions.MaxTotalBytes"/>); none when <see langword="null"/>.</param>
    /// <param name="minFreeBytes">The free-space reserve (see <see cref="LocalFileStoreOptions.MinFreeBytes"/>); 0 for none.</param>
    public LocalFileStore(
        string rootPath,
        bool flushToDisk = true,
        TimeProvider? timeProvider = null,
        ILogger<LocalFileStore>? logger = null,
        long? maxTotalBytes = null,
        long minFreeBytes = FileStoreConstants.DefaultMinFreeBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootPath);
        if (maxTotalBytes is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 1, nameof(maxTotalBytes));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(minFreeBytes);
        RootPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootPath));
        _rootWithSeparator = RootPath + Path.DirectorySeparatorChar;
        _flushToDisk = flushToDisk;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        OwnerOnly.CreateDirectory(RootPath);
        RemoveUnfinishedWrites();
        if (minFreeBytes > 0 && VolumeOf(RootPath) is { } drive)
        {
            _drive = drive;
            _reserveBytes = Math.Min(minFreeBytes, drive.TotalSize / FileStoreConstants.SmallVolumeReserveDivisor);
        }

        _maxTotalBytes = maxTotalBytes;
        if (_maxTotalBytes is not null)
        {
            _usedBytes = new DirectoryInfo(RootPath).EnumerateFiles().Where(f => FileIds.IsValid(f.Name)).Sum(f => f.Length);
        }

        Log.FileStoreStarted(_logger, Backend, RootPath);
    }

    /// <summary>The full path of the directory that holds the files.</summary>
    public string RootPath { get; }

    /// <inheritdoc/>
    public async Task<StoredFileInfo> WriteAsync(string fileId, Stream content, FileWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var path = PathOf(fileId);
        ArgumentNullException.ThrowIfNull(content);
        options ??= new FileWriteOptions();
        var contentType = FileMetadataRules.SanitizeContentType(options.ContentType) ?? FileMetadataRules.DefaultContentType;
        var fileName = FileMetadataRules.SanitizeFileName(options.FileName);
        var temp = Path.Join(RootPath, FileStoreConstants.TempPrefix + Guid.NewGuid().ToString("N"));
        var published = false;
        var reservation = new Reservation();
        try
        {
            StoredFileInfo info;
            Reserve(reservation, FileHeader.Size);
            var file = new FileStream(temp, OwnerOnly.ForNewFile(new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
            }));
            await using (file.ConfigureAwait(false))
            {
                var (size, sha256) = await HashingFileCopy.CopyAsync(
                    content,
                    file.SafeFileHandle,
                    FileHeader.Size,
                    WriteChunkBytes,
                    _flushToDisk ? FileStoreConstants.WriteBehindBytes : 0,
                    bytes => Reserve(reservation, bytes),
                    cancellationToken).ConfigureAwait(false);
                info = new StoredFileInfo(fileId, size, contentType, fileName, sha256, _timeProvider.GetUtcNow());
                var header = FileHeader.Encode(new FileMetadata(contentType, fileName, size, sha256, info.CreatedAt));
                RandomAccess.Write(file.SafeFileHandle, header, 0);
                if (_flushToDisk)
                {
                    file.Flush(flushToDisk: true);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            Publish(temp, path, fileId, options.Overwrite);
            published = true;
            reservation.Bytes = 0;
            return info;
        }
        catch (Exception exception) when (!published)
        {
            // The disk filled up under the write (this store's reserve off, or someone else writing): not the
            // client's fault and not a bug, and the temporary file goes in finally below.
            if (StorageErrors.IsDiskFull(exception) && exception is not KitException)
            {
                throw new InsufficientStorageException("The storage is full: the file was not stored.", exception);
            }

            throw;
        }
        finally
        {
            if (!published)
            {
                TryDelete(temp);
            }

            Release(reservation);
        }
    }

    /// <inheritdoc/>
    public Task<StoredFile?> OpenReadAsync(string fileId, CancellationToken cancellationToken = default)
    {
        var path = PathOf(fileId);
        if (Open(fileId, path, cancellationToken) is not var (file, info))
        {
            return Task.FromResult<StoredFile?>(null);
        }

        return Task.FromResult<StoredFile?>(new StoredFile(info, new FileContentStream(file, FileHeader.Size, info.Size)));
    }

    /// <inheritdoc/>
    public Task<StoredFileInfo?> GetInfoAsync(string fileId, CancellationToken cancellationToken = default) =>
        Task.FromResult(ReadInfo(fileId, PathOf(fileId), cancellationToken));

    /// <inheritdoc/>
    public Task<bool> ExistsAsync(string fileId, CancellationToken cancellationToken = default)
    {
        var path = PathOf(fileId);
        return Task.FromResult(File.Exists(path));
    }

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string fileId, CancellationToken cancellationToken = default)
    {
        var path = PathOf(fileId);
        cancellationToken.ThrowIfCancellationRequested();
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }

        DeleteCounted(path);
        return Task.FromResult(true);
    }

    /// <inheritdoc/>
    public Task<bool> DeleteIfMatchAsync(string fileId, string expectedETag, CancellationToken cancellationToken = default)
    {
        var path = PathOf(fileId);
        ArgumentNullException.ThrowIfNull(expectedETag);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_publishGate)
        {
            if (ReadInfo(fileId, path, cancellationToken) is not { } current)
            {
                return Task.FromResult(false);
            }

            if (!string.Equals(current.ETag, expectedETag, StringComparison.Ordinal))
            {
                throw FilePreconditions.Failed(fileId);
            }

            DeleteCounted(path);
        }

        return Task.FromResult(true);
    }

    /// <inheritdoc/>
    public async Task<FileListPage> ListAsync(string? prefix = null, int pageSize = 100, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        var (validPrefix, after) = ListArguments.Validate(prefix, pageSize, continuationToken);
        var ids = new List<string>();
        foreach (var entry in new DirectoryInfo(RootPath).EnumerateFiles())
        {
            var name = entry.Name;
            if (name.StartsWith(validPrefix, StringComparison.Ordinal) && FileIds.IsValid(name)
                && (after is null || string.CompareOrdinal(name, after) > 0))
            {
                ids.Add(name);
            }
        }

        ids.Sort(StringComparer.Ordinal);
        var items = new List<StoredFileInfo>(Math.Min(pageSize, ids.Count));
        var index = 0;
        for (; index < ids.Count && items.Count < pageSize; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await GetInfoAsync(ids[index], cancellationToken).ConfigureAwait(false) is { } info)
            {
                items.Add(info);
            }
        }

        return new FileListPage(items, index < ids.Count && items.Count > 0 ? items[^1].FileId : null);
    }

    /// <summary>Maps a valid id to its path, and proves the path is directly inside the root.</summary>
    internal string PathOf(string fileId)
    {
        FileIds.Validate(fileId);
        var path = Path.GetFullPath(Path.Join(RootPath, fileId));

        // Defence in depth: the id rules already make escaping impossible; this catches a future rule change.
        if (!path.StartsWith(_rootWithSeparator, StringComparison.Ordinal)
            || path.AsSpan(_rootWithSeparator.Length).IndexOfAny(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) >= 0)
        {
            throw new BadRequestException("The file id is invalid: it resolves outside the store.", FileProblemCodes.InvalidFileId);
        }

        return path;
    }

    private void Publish(string temp, string path, string fileId, bool overwrite)
    {
        lock (_publishGate)
        {
            if (overwrite)
            {
                // rename(2) / MoveFileEx(REPLACE_EXISTING): atomic replace; open readers keep the old content.
                if (_maxTotalBytes is null)
                {
                    File.Move(temp, path, overwrite: true);
                    return;
                }

                lock (_accounting)
                {
                    var replaced = LengthOf(path);
                    File.Move(temp, path, overwrite: true);
                    Interlocked.Add(ref _usedBytes, -replaced);
                }

                return;
            }

            if (!AtomicFile.TryPublishNew(temp, path))
            {
                throw new ConflictException($"A file with id '{fileId}' already exists.", FileProblemCodes.FileExists);
            }
        }
    }

    private StoredFileInfo? ReadInfo(string fileId, string path, CancellationToken cancellationToken)
    {
        if (Open(fileId, path, cancellationToken) is not var (file, info))
        {
            return null;
        }

        file.Dispose();
        return info;
    }

    // Synchronous, like the content reads (see FileContentStream): one 4 KiB read, and the conditional delete
    // reads the header while it holds the publish lock.
    private (FileStream File, StoredFileInfo Info)? Open(string fileId, string path, CancellationToken cancellationToken)
    {
        FileStream file;
        try
        {
            // FileShare.Delete: a delete or an overwrite may happen while a download is in flight.
            file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
            });
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(FileHeader.Size);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = file.ReadAtLeast(buffer.AsSpan(0, FileHeader.Size), FileHeader.Size, throwOnEndOfStream: false);
            var metadata = FileHeader.Decode(buffer.AsSpan(0, read));
            if (metadata is null || file.Length != FileHeader.Size + metadata.Size)
            {
                Log.CorruptFile(_logger, fileId, "read", metadata is null ? "header" : "length");
                file.Dispose();
                return null;
            }

            return (file, new StoredFileInfo(fileId, metadata.Size, metadata.ContentType, metadata.FileName, metadata.Sha256, metadata.Created));
        }
        catch
        {
            file.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Counts <paramref name="bytes"/> more of a write against the quota and checks the free-space reserve, before
    /// they are written: the bytes on the disk never pass either limit by more than what a concurrent writer adds.
    /// </summary>
    private void Reserve(Reservation reservation, int bytes)
    {
        if (_maxTotalBytes is { } max)
        {
            if (Interlocked.Add(ref _usedBytes, bytes) > max)
            {
                Interlocked.Add(ref _usedBytes, -bytes);
                throw new InsufficientStorageException($"The file store's quota of {max} bytes would be exceeded: the file was not stored.");
            }

            reservation.Bytes += bytes;
        }

        // statvfs(2) / GetDiskFreeSpaceEx: one system call per 256 KiB chunk, nothing next to writing the chunk.
        if (_drive is not null && _drive.AvailableFreeSpace - bytes < _reserveBytes)
        {
            throw new InsufficientStorageException("The storage is nearly full (its free-space reserve is reached): the file was not stored.");
        }
    }

    /// <summary>Gives back the quota an unfinished write held.</summary>
    private void Release(Reservation reservation)
    {
        if (reservation.Bytes != 0)
        {
            Interlocked.Add(ref _usedBytes, -reservation.Bytes);
            reservation.Bytes = 0;
        }
    }

    /// <summary>The volume of <paramref name="path"/>, or <see langword="null"/> where the platform cannot name one (a UNC share on Windows): the reserve is then not checked, and a full disk is still a 507.</summary>
    private static DriveInfo? VolumeOf(string path)
    {
        try
        {
            var drive = new DriveInfo(path);
            _ = drive.TotalSize;
            return drive;
        }
        catch (Exception exception) when (exception is ArgumentException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long LengthOf(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private void RemoveUnfinishedWrites()
    {
        var count = 0;
        foreach (var temp in Directory.EnumerateFiles(RootPath, FileStoreConstants.TempPrefix + "*"))
        {
            if (TryDelete(temp))
            {
                count++;
            }
        }

        if (count > 0)
        {
            Log.TempFilesCleaned(_logger, count, RootPath, "cleanup");
        }
    }

    /// <summary>The quota one write holds until it is published (then it stays counted) or abandoned (then it is given back).</summary>
    private sealed class Reservation
    {
        public long Bytes;
    }

    // A delete gives the quota back the file's length, read just before under the accounting lock.
    private void DeleteCounted(string path)
    {
        if (_maxTotalBytes is null)
        {
            File.Delete(path);
            return;
        }

        lock (_accounting)
        {
            var length = LengthOf(path);
            File.Delete(path);
            Interlocked.Add(ref _usedBytes, -length);
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}

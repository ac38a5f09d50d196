using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microservice.Kit.Files.Internal;
using Microservice.Kit.Problems;

namespace Microservice.Kit.Files;

/// <summary>
/// An <see cref="IFileStore"/> in process memory, for tests: the same id rules, overwrite semantics and
/// metadata as <see cref="LocalFileStore"/>, and nothing survives the process.
/// </summary>
public sealed class InMemoryFileStore : IFileStore
{
    private const string Backend = "memory";

    private readonly ConcurrentDictionary<string, Entry> _files = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock for <see cref="StoredFileInfo.CreatedAt"/>; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public InMemoryFileStore(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The number of files stored.</summary>
    public int Count => _files.Count;

    /// <inheritdoc/>
    public async Task<StoredFileInfo> WriteAsync(string fileId, Stream content, FileWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        ArgumentNullException.ThrowIfNull(content);
        options ??= new FileWriteOptions();
        if (!options.Overwrite && _files.ContainsKey(fileId))
        {
            // Fail before reading the content; the add below still decides a race atomically.
            throw Exists(fileId);
        }

        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        var info = new StoredFileInfo(
            fileId,
            bytes.LongLength,
            FileMetadataRules.SanitizeContentType(options.ContentType) ?? FileMetadataRules.DefaultContentType,
            FileMetadataRules.SanitizeFileName(options.FileName),
            Convert.ToHexStringLower(SHA256.HashData(bytes)),
            _timeProvider.GetUtcNow());
        var entry = new Entry(bytes, info);
        if (options.Overwrite)
        {
            _files[fileId] = entry;
        }
        else if (!_files.TryAdd(fileId, entry))
        {
            throw Exists(fileId);
        }

        return info;
    }

    /// <inheritdoc/>
    public Task<StoredFile?> OpenReadAsync(string fileId, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        if (!_files.TryGetValue(fileId, out var entry))
        {
            return Task.FromResult<StoredFile?>(null);
        }

        FileMetrics.BytesRead(entry.Content.LongLength, Backend);
        return Task.FromResult<StoredFile?>(new StoredFile(entry.Info, new MemoryStream(entry.Content, writable: false)));
    }

    /// <inheritdoc/>
    public Task<StoredFileInfo?> GetInfoAsync(string fileId, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        return Task.FromResult(_files.TryGetValue(fileId, out var entry) ? entry.Info : null);
    }

    /// <inheritdoc/>
    public Task<bool> ExistsAsync(string fileId, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        return Task.FromResult(_files.ContainsKey(fileId));
    }

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string fileId, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        return Task.FromResult(_files.TryRemove(fileId, out _));
    }

    /// <inheritdoc/>
    public Task<bool> DeleteIfMatchAsync(string fileId, string expectedETag, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        ArgumentNullException.ThrowIfNull(expectedETag);
        while (_files.TryGetValue(fileId, out var entry))
        {
            if (!string.Equals(entry.Info.ETag, expectedETag, StringComparison.Ordinal))
            {
                throw FilePreconditions.Failed(fileId);
            }

            // Removes only this entry: if an overwrite replaced it since it was read, look again.
            if (_files.TryRemove(KeyValuePair.Create(fileId, entry)))
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }

    /// <inheritdoc/>
    public Task<FileListPage> ListAsync(string? prefix = null, int pageSize = 100, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        var (validPrefix, after) = ListArguments.Validate(prefix, pageSize, continuationToken);
        var matching = _files.Values
            .Select(e => e.Info)
            .Where(i => i.FileId.StartsWith(validPrefix, StringComparison.Ordinal) && (after is null || string.CompareOrdinal(i.FileId, after) > 0))
            .OrderBy(i => i.FileId, StringComparer.Ordinal)
            .Take(pageSize + 1)
            .ToList();
        var items = matching.Take(pageSize).ToList();
        return Task.FromResult(new FileListPage(items, matching.Count > pageSize ? items[^1].FileId : null));
    }

    private static ConflictException Exists(string fileId) =>
        new($"A file with id '{fileId}' already exists.", FileProblemCodes.FileExists);

    private sealed record Entry(byte[] Content, StoredFileInfo Info);
}

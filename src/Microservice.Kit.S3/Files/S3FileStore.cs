using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Microservice.Kit.Files;
using Microservice.Kit.Problems;
using Microservice.Kit.S3.Files.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microservice.Kit.S3.Files;

/// <summary>
/// An <see cref="IFileStore"/> on an S3-compatible object store: one object per file id under a key prefix, the
/// metadata (content type, original name, size, SHA-256, creation time) in the object's own metadata, so that one
/// atomic publish makes both visible.
/// </summary>
/// <remarks>
/// <para>A write reads the content through one pooled buffer of <see cref="S3FileStoreOptions.PartSizeBytes"/>, hashing
/// as it goes (each part while it uploads): content that fits in it is one <c>PUT</c> of the object with its metadata. Longer content is a multipart
/// upload to a content object of its own (<c>.blob-&lt;guid&gt;-&lt;id&gt;</c>, which no id can name), published by one
/// small <c>PUT</c> of the file's object carrying the metadata and the content object's name: a multipart upload's
/// metadata is fixed before its SHA-256 is known, and this needs no server-side copy (which s3rver mis-parses, and which
/// would read every byte again). A write that fails or is cancelled aborts its multipart upload and deletes its content
/// object; a replaced or deleted file's content object is deleted after it; what a killed process leaves behind, the
/// next start removes.</para>
/// <para>Create-only writes and conditional deletes hold the id with the <see cref="IFileStoreArbiter"/> while they
/// check and publish, and send <c>If-None-Match: *</c> / <c>If-Match</c> as well: exact across replicas with a shared
/// arbiter even on servers that ignore those headers.</para>
/// <para>Any failure to reach the store is 503 <c>DependencyUnavailable</c>; nothing is cached, so the store recovers
/// with the server.</para>
/// </remarks>
public sealed class S3FileStore : IFileStore, IDisposable
{
    // Content objects of multipart writes: ".blob-<guid>-<id>". No id starts with '.', so none collides or is listed.
    private const string BlobPrefix = ".blob-";
    private const int BlobGuidLength = 32;
    private const string BlobKey = "blob";
    private const string ShaKey = "sha256";
    private const string SizeKey = "size";
    private const string NameKey = "filename";
    private const string CreatedKey = "created";

    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly int _partSize;
    private readonly IFileStoreArbiter _arbiter;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates the store on <paramref name="client"/>; the store does not dispose it.</summary>
    /// <param name="client">The S3 client, configured for the server (see <see cref="S3ClientFactory.Create"/>).</param>
    /// <param name="bucket">The bucket, which must exist.</param>
    /// <param name="prefix">The key prefix of this store's objects, empty or ending in <c>/</c>.</param>
    /// <param name="partSizeBytes">The part size and the write buffer's size (at least 5 MiB).</param>
    /// <param name="arbiter">Holds an id while a create-only write or a conditional delete checks and publishes; a process-local one when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for <see cref="StoredFileInfo.CreatedAt"/>.</param>
    /// <param name="logger">The logger.</param>
    public S3FileStore(IAmazonS3 client, string bucket, string prefix = "", int partSizeBytes = 8 * 1024 * 1024,
        IFileStoreArbiter? arbiter = null, TimeProvider? timeProvider = null, ILogger<S3FileStore>? logger = null)
        : this(client, ownsClient: false, bucket, prefix, partSizeBytes, arbiter, timeProvider, logger)
    {
    }

    internal S3FileStore(IAmazonS3 client, bool ownsClient, string bucket, string prefix, int partSizeBytes,
        IFileStoreArbiter? arbiter, TimeProvider? timeProvider, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(partSizeBytes, 5 * 1024 * 1024);
        if (prefix.Length > 0 && !prefix.EndsWith('/'))
        {
            throw new ArgumentException("The prefix must be empty or end in '/'.", nameof(prefix));
        }

        _client = client;
        _ownsClient = ownsClient;
        _bucket = bucket;
        _prefix = prefix;
        _partSize = partSizeBytes;
        _arbiter = arbiter ?? new ProcessArbiter();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        StartedAt = _timeProvider.GetUtcNow();
        Location = "s3:" + (client.Config.ServiceURL ?? client.Config.RegionEndpoint?.SystemName) + "/" + bucket + "/" + prefix;
    }

    /// <summary>Where the store keeps its files: <c>s3:&lt;endpoint&gt;/&lt;bucket&gt;/&lt;prefix&gt;</c>.</summary>
    public string Location { get; }

    internal ILogger Logger => _logger;

    /// <summary>When the store was created: start-up clean-up removes only what is older, less <see cref="AbandonedUploadAge"/>.</summary>
    internal DateTimeOffset StartedAt { get; }

    internal TimeSpan AbandonedUploadAge { get; init; } = TimeSpan.FromHours(1);

    /// <inheritdoc/>
    public async Task<StoredFileInfo> WriteAsync(string fileId, Stream content, FileWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        ArgumentNullException.ThrowIfNull(content);
        options ??= new FileWriteOptions();
        if (!options.Overwrite && await ExistsAsync(fileId, cancellationToken).ConfigureAwait(false))
        {
            // Fail before reading the content; the check under the arbiter below still decides a race.
            throw Exists(fileId);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(_partSize);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var blob = _prefix + BlobPrefix + Guid.NewGuid().ToString("N") + "-" + fileId;
        string? uploadId = null;
        var blobWritten = false;
        var published = false;
        try
        {
            var filled = await FillAsync(content, buffer, cancellationToken).ConfigureAwait(false);
            long size = filled;
            if (filled < _partSize)
            {
                hash.AppendData(buffer, 0, filled);
                var info = Describe(fileId, size, hash, options);
                await PublishAsync(fileId, options.Overwrite, async token =>
                {
                    using var body = new MemoryStream(buffer, 0, filled, writable: false);
                    await PutAsync(fileId, info, body, blobName: null, options.Overwrite, token).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
                published = true;
                return info;
            }

            uploadId = (await S3Errors.CallAsync(t => _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = blob,
                ContentType = options.ContentType,
            }, t), cancellationToken).ConfigureAwait(false)).UploadId;

            var parts = new List<PartETag>();
            while (filled > 0)
            {
                // The part is hashed on another thread while it uploads, so the SHA-256 costs no time of its own (64 MiB:
                // ~70 ms of a ~800 ms write, docs/performance.md). Both only read the buffer, and both are awaited
                // before it is refilled or returned to the pool.
                var count = filled;
                var hashing = Task.Run(() => hash.AppendData(buffer, 0, count), CancellationToken.None);
                try
                {
                    parts.Add(await UploadPartAsync(blob, uploadId, parts.Count + 1, buffer, count, cancellationToken).ConfigureAwait(false));
                }
                finally
                {
                    await hashing.ConfigureAwait(false);
                }

                filled = await FillAsync(content, buffer, cancellationToken).ConfigureAwait(false);
                size += filled;
            }

            await S3Errors.CallAsync(t => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = blob,
                UploadId = uploadId,
                PartETags = parts,
            }, t), cancellationToken).ConfigureAwait(false);
            uploadId = null;
            blobWritten = true;

            var stored = Describe(fileId, size, hash, options);
            await PublishAsync(fileId, options.Overwrite, token => PutAsync(fileId, stored, body: null, blob[_prefix.Length..], options.Overwrite, token), cancellationToken).ConfigureAwait(false);
            published = true;
            return stored;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);

            // Not the caller's token: a cancelled write must still clean up after itself.
            if (uploadId is not null)
            {
                await CleanUpAsync(() => _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = blob, UploadId = uploadId }), blob).ConfigureAwait(false);
            }

            if (blobWritten && !published)
            {
                await CleanUpAsync(() => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = blob }), blob).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public async Task<StoredFile?> OpenReadAsync(string fileId, CancellationToken cancellationToken = default)
    {
        if (await HeadAsync(fileId, cancellationToken).ConfigureAwait(false) is not var (info, objectETag, blob))
        {
            return null;
        }

        // A content object is never rewritten (a new version gets a new one), so only the inline object needs If-Match.
        return new StoredFile(info, blob is null
            ? new S3ObjectStream(_client, _bucket, _prefix + fileId, objectETag, info.Size)
            : new S3ObjectStream(_client, _bucket, blob, objectETag: null, info.Size));
    }

    /// <inheritdoc/>
    public async Task<StoredFileInfo?> GetInfoAsync(string fileId, CancellationToken cancellationToken = default) =>
        (await HeadAsync(fileId, cancellationToken).ConfigureAwait(false))?.Info;

    /// <inheritdoc/>
    public async Task<bool> ExistsAsync(string fileId, CancellationToken cancellationToken = default) =>
        await HeadAsync(fileId, cancellationToken).ConfigureAwait(false) is not null;

    /// <inheritdoc/>
    public async Task<bool> DeleteAsync(string fileId, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        string? blob;
        await using (await _arbiter.AcquireAsync(Location, fileId, cancellationToken).ConfigureAwait(false))
        {
            if (await HeadAsync(fileId, cancellationToken).ConfigureAwait(false) is not { } current)
            {
                return false;
            }

            await S3Errors.CallAsync(t => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = _prefix + fileId }, t), cancellationToken).ConfigureAwait(false);
            blob = current.Blob;
        }

        await DeleteBlobAsync(blob).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteIfMatchAsync(string fileId, string expectedETag, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        ArgumentNullException.ThrowIfNull(expectedETag);

        // Every publish of this id holds the same lease, so no version can land between the check and the delete;
        // If-Match on the object's own ETag makes a store that honours it refuse a version written by anyone else.
        string? blob;
        await using (await _arbiter.AcquireAsync(Location, fileId, cancellationToken).ConfigureAwait(false))
        {
        if (await HeadAsync(fileId, cancellationToken).ConfigureAwait(false) is not var (current, objectETag, currentBlob))
        {
            return false;
        }

        if (!string.Equals(current.ETag, expectedETag, StringComparison.Ordinal))
        {
            throw new PreconditionFailedException($"File '{fileId}' has changed: If-Match does not name its current version.");
        }

        try
        {
            await S3Errors.CallAsync(t => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = _prefix + fileId, IfMatch = objectETag }, t), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception exception) when (S3Errors.IsPreconditionFailed(exception))
        {
            throw new PreconditionFailedException($"File '{fileId}' has changed: If-Match does not name its current version.");
        }

        blob = currentBlob;
        }

        await DeleteBlobAsync(blob).ConfigureAwait(false);
        return true;
    }

    private Task DeleteBlobAsync(string? blob) => blob is null
        ? Task.CompletedTask
        : CleanUpAsync(() => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = blob }), blob);

    /// <inheritdoc/>
    public async Task<FileListPage> ListAsync(string? prefix = null, int pageSize = 100, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        var (validPrefix, after) = ListArgumentsOf(prefix, pageSize, continuationToken);
        var ids = new List<string>(pageSize + 1);
        var request = new ListObjectsV2Request
        {
            BucketName = _bucket,
            Prefix = _prefix + validPrefix,
            StartAfter = after is null ? null : _prefix + after,
            MaxKeys = pageSize + 1,
        };
        while (ids.Count <= pageSize)
        {
            var response = await S3Errors.CallAsync(t => _client.ListObjectsV2Async(request, t), cancellationToken).ConfigureAwait(false);
            foreach (var item in response.S3Objects ?? [])
            {
                var id = item.Key[_prefix.Length..];
                if (FileIds.IsValid(id) && ids.Count <= pageSize)
                {
                    ids.Add(id);
                }
            }

            if (response.IsTruncated != true)
            {
                break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }

        var more = ids.Count > pageSize;
        var page = more ? ids[..pageSize] : ids;
        var infos = await Task.WhenAll(page.Select(id => GetInfoAsync(id, cancellationToken))).ConfigureAwait(false);
        var items = infos.Where(i => i is not null).Select(i => i!).ToList();
        return new FileListPage(items, more && items.Count > 0 ? items[^1].FileId : null);
    }

    /// <summary>
    /// Aborts the multipart uploads and deletes the content objects of writes that never finished and are older than
    /// <paramref name="olderThan"/>: what a killed process left.
    /// </summary>
    /// <param name="olderThan">Only what was started before this time is removed.</param>
    /// <param name="cancellationToken">Cancels the clean-up.</param>
    /// <returns>How many uploads and content objects were removed.</returns>
    public async Task<int> RemoveAbandonedUploadsAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        var removed = 0;
        var uploads = new ListMultipartUploadsRequest { BucketName = _bucket, Prefix = _prefix + BlobPrefix };
        while (true)
        {
            ListMultipartUploadsResponse response;
            try
            {
                response = await S3Errors.CallAsync(t => _client.ListMultipartUploadsAsync(uploads, t), cancellationToken).ConfigureAwait(false);
            }
            catch (DependencyUnavailableException exception) when (S3Errors.IsNotImplemented(exception.InnerException))
            {
                // Some S3-compatible servers (s3rver) list no multipart uploads; their parts are never visible as objects.
                break;
            }

            foreach (var upload in response.MultipartUploads ?? [])
            {
                if (upload.Initiated is { } initiated && new DateTimeOffset(initiated.ToUniversalTime()) < olderThan)
                {
                    await S3Errors.CallAsync(t => _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = upload.Key, UploadId = upload.UploadId }, t), cancellationToken).ConfigureAwait(false);
                    removed++;
                }
            }

            if (response.IsTruncated != true)
            {
                break;
            }

            uploads.KeyMarker = response.NextKeyMarker;
            uploads.UploadIdMarker = response.NextUploadIdMarker;
        }

        var objects = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + BlobPrefix };
        while (true)
        {
            var response = await S3Errors.CallAsync(t => _client.ListObjectsV2Async(objects, t), cancellationToken).ConfigureAwait(false);
            foreach (var item in response.S3Objects ?? [])
            {
                if (item.LastModified is { } modified && new DateTimeOffset(modified.ToUniversalTime()) < olderThan
                    && !await IsReferencedAsync(item.Key, cancellationToken).ConfigureAwait(false))
                {
                    await S3Errors.CallAsync(t => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = item.Key }, t), cancellationToken).ConfigureAwait(false);
                    removed++;
                }
            }

            if (response.IsTruncated != true)
            {
                break;
            }

            objects.ContinuationToken = response.NextContinuationToken;
        }

        return removed;
    }

    /// <summary>Whether the file a content object belongs to (its name ends in the id) still names it.</summary>
    private async Task<bool> IsReferencedAsync(string blobKey, CancellationToken cancellationToken)
    {
        var idStart = _prefix.Length + BlobPrefix.Length + BlobGuidLength + 1;
        if (blobKey.Length <= idStart || !FileIds.IsValid(blobKey[idStart..]))
        {
            return false;
        }

        return await HeadAsync(blobKey[idStart..], cancellationToken).ConfigureAwait(false) is { } file
            && string.Equals(file.Blob, blobKey, StringComparison.Ordinal);
    }

    /// <summary>Whether the bucket answers: one listing of at most one key under the prefix.</summary>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>A task that fails with <see cref="DependencyUnavailableException"/> when the store cannot be reached.</returns>
    public Task ProbeAsync(CancellationToken cancellationToken = default) =>
        S3Errors.CallAsync(t => _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix, MaxKeys = 1 }, t), cancellationToken);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }

        (_arbiter as ProcessArbiter)?.Dispose();
    }

    private async Task<(StoredFileInfo Info, string ObjectETag, string? Blob)?> HeadAsync(string fileId, CancellationToken cancellationToken)
    {
        FileIds.Validate(fileId);
        GetObjectMetadataResponse response;
        try
        {
            response = await S3Errors.CallAsync(t => _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = _prefix + fileId }, t), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception exception) when (S3Errors.IsNotFound(exception))
        {
            return null;
        }

        var metadata = response.Metadata;
        var sha256 = metadata[ShaKey];
        var blobName = metadata[BlobKey];
        var blob = string.IsNullOrEmpty(blobName) ? null : _prefix + blobName;
        if (sha256 is not { Length: 64 } || !long.TryParse(metadata[SizeKey], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || (blob is null ? size != response.ContentLength : !blobName.StartsWith(BlobPrefix, StringComparison.Ordinal)))
        {
            // Not written by this store (or by hand): treated as absent, like a local file without its header.
            Log.ForeignObject(_logger, fileId, "read");
            return null;
        }

        var created = DateTimeOffset.TryParse(metadata[CreatedKey], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at
            : new DateTimeOffset(response.LastModified?.ToUniversalTime() ?? default, TimeSpan.Zero);
        var name = metadata[NameKey] is { Length: > 0 } encoded ? Uri.UnescapeDataString(encoded) : null;
        var info = new StoredFileInfo(fileId, size, response.Headers.ContentType ?? "application/octet-stream", name, sha256, created);
        return (info, response.ETag, blob);
    }

    private async Task PublishAsync(string fileId, bool overwrite, Func<CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string? replacedBlob;
        await using (await _arbiter.AcquireAsync(Location, fileId, cancellationToken).ConfigureAwait(false))
        {
            var current = await HeadAsync(fileId, cancellationToken).ConfigureAwait(false);
            if (!overwrite && current is not null)
            {
                throw Exists(fileId);
            }

            try
            {
                await publish(cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception exception) when (S3Errors.IsPreconditionFailed(exception) && !overwrite)
            {
                // A store that honours If-None-Match: * saw another writer first.
                throw Exists(fileId);
            }

            replacedBlob = current?.Blob;
        }

        if (replacedBlob is not null)
        {
            await CleanUpAsync(() => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = replacedBlob }), replacedBlob).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes a file: its object, with the content inline or naming its content object, and the metadata.</summary>
    private Task<PutObjectResponse> PutAsync(string fileId, StoredFileInfo info, Stream? body, string? blobName, bool overwrite, CancellationToken cancellationToken)
    {
        var put = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = _prefix + fileId,
            InputStream = body ?? Stream.Null,
            AutoCloseStream = false,
            ContentType = info.ContentType,
            UseChunkEncoding = false,
            DisableDefaultChecksumValidation = true,

            // Honoured by AWS S3 (and a 412 there); the arbiter decides on servers that ignore it.
            IfNoneMatch = overwrite ? null : "*",
        };
        SetMetadata(put.Metadata, info);
        if (blobName is not null)
        {
            put.Metadata[BlobKey] = blobName;
        }

        return S3Errors.CallAsync(t => _client.PutObjectAsync(put, t), cancellationToken);
    }

    private async Task<PartETag> UploadPartAsync(string key, string uploadId, int number, byte[] buffer, int count, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(buffer, 0, count, writable: false);
        var response = await S3Errors.CallAsync(t => _client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = _bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = number,
            InputStream = body,
            PartSize = count,
            UseChunkEncoding = false,
            DisableDefaultChecksumValidation = true,
        }, t), cancellationToken).ConfigureAwait(false);
        return new PartETag(number, response.ETag);
    }

    private ValueTask<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken) =>
        content.ReadAtLeastAsync(buffer.AsMemory(0, _partSize), _partSize, throwOnEndOfStream: false, cancellationToken);

    private StoredFileInfo Describe(string fileId, long size, IncrementalHash hash, FileWriteOptions options)
    {
        Span<byte> digest = stackalloc byte[32];
        hash.GetCurrentHash(digest);
        return new StoredFileInfo(fileId, size, options.ContentType, options.FileName, Convert.ToHexStringLower(digest), _timeProvider.GetUtcNow());
    }

    private static void SetMetadata(MetadataCollection metadata, StoredFileInfo info)
    {
        metadata[ShaKey] = info.Sha256;
        metadata[SizeKey] = info.Size.ToString(CultureInfo.InvariantCulture);
        metadata[CreatedKey] = info.CreatedAt.ToString("O", CultureInfo.InvariantCulture);
        if (info.FileName is not null)
        {
            // Object metadata travels in HTTP headers: ASCII only.
            metadata[NameKey] = Uri.EscapeDataString(info.FileName);
        }
    }

    private async Task CleanUpAsync(Func<Task> cleanUp, string key)
    {
        try
        {
            await cleanUp().ConfigureAwait(false);
        }
        catch (Exception exception) when (S3Errors.IsUnavailable(exception, CancellationToken.None))
        {
            // The next start's clean-up removes it; the write itself already failed or succeeded.
            Log.CleanUpFailed(_logger, key, "cleanup", exception.GetType().Name);
        }
    }

    private static (string Prefix, string? After) ListArgumentsOf(string? prefix, int pageSize, string? continuationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 1000);
        if (continuationToken is not null && !FileIds.IsValid(continuationToken))
        {
            throw new BadRequestException("The continuation token is invalid.", FileProblemCodes.InvalidFileId);
        }

        return (prefix ?? string.Empty, continuationToken);
    }

    private static ConflictException Exists(string fileId) =>
        new($"A file with id '{fileId}' already exists.", FileProblemCodes.FileExists);

    /// <summary>For a store constructed without an arbiter: ids held within this instance.</summary>
    private sealed class ProcessArbiter : IFileStoreArbiter, IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public async ValueTask<IAsyncDisposable> AcquireAsync(string scope, string fileId, CancellationToken cancellationToken = default)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new Release(_gate);
        }

        public void Dispose() => _gate.Dispose();

        private sealed class Release(SemaphoreSlim gate) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                gate.Release();
                return ValueTask.CompletedTask;
            }
        }
    }
}

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
/// upload to a content object of its own (<c>.blob-&lt;instance&gt;-&lt;write&gt;-&lt;id&gt;</c>, which no id can name), published by one
/// small <c>PUT</c> of the file's object carrying the metadata and the content object's name: a multipart upload's
/// metadata is fixed before its SHA-256 is known, and this needs no server-side copy (which s3rver mis-parses, and which
/// would read every byte again). A write that fails or is cancelled aborts its multipart upload and deletes its content
/// object; a replaced or deleted file's content object is deleted after it; what a killed process leaves behind, the
/// next start removes (<see cref="RemoveAbandonedUploadsAsync"/>): each store instance holds a key naming itself with the
/// arbiter for its lifetime, and every upload (recorded in a small journal object while in flight) and content object
/// names its instance, so an instance's leftovers go as soon as its key is free, and never while it lives.</para>
/// <para>Create-only writes and conditional deletes hold the id with the <see cref="IFileStoreArbiter"/> while they
/// check and publish, and send <c>If-None-Match: *</c> / <c>If-Match</c> as well: exact across replicas with a shared
/// arbiter even on servers that ignore those headers.</para>
/// <para>Any failure to reach the store is 503 <c>DependencyUnavailable</c>; nothing is cached, so the store recovers
/// with the server.</para>
/// </remarks>
public sealed class S3FileStore : IFileStore, IAsyncDisposable, IDisposable
{
    // Content objects of multipart writes: ".blob-<instance>-<write>-<id>" (two 32-digit GUIDs: the writing store
    // instance, which start-up clean-up asks the arbiter about, and the write). No id starts with '.', so none collides
    // or is listed.
    private const string BlobPrefix = ".blob-";
    private const int GuidLength = 32;

    // The journal of multipart uploads in flight: "<prefix>.uploads/<content object name>", its body the upload id, so
    // that a server that cannot list multipart uploads (s3rver) still lets the next start find and remove them.
    private const string JournalPrefix = ".uploads/";

    // The key a store instance holds with the arbiter for its lifetime; no file id starts with '.'.
    private const string InstanceKeyPrefix = ".instance-";

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");
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
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private readonly SemaphoreSlim _leaseGate = new(1, 1);
    private IFileStoreLease? _instanceLease;
    private int _disposed;

    /// <summary>Creates the store on <paramref name="client"/>; the store does not dispose it.</summary>
    /// <param name="client">The S3 client, configured for the server (see <see cref="S3ClientFactory.Create"/>).</param>
    /// <param name="bucket">The bucket, which must exist.</param>
    /// <param name="prefix">The key prefix of this store's objects, empty or ending in <c>/</c>.</param>
    /// <param name="partSizeBytes">The part size and the write buffer's size (at least 5 MiB).</param>
    /// <param name="arbiter">Holds an id while a create-only write or a conditional delete checks and publishes, and this
    /// store instance's own key while it lives (start-up clean-up of another instance tells by it that this one is alive);
    /// a new <see cref="InProcessFileStoreArbiter"/> of this store's own when <see langword="null"/>.</param>
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
        _arbiter = arbiter ?? new InProcessFileStoreArbiter();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        StartedAt = _timeProvider.GetUtcNow();
        Location = "s3:" + (client.Config.ServiceURL ?? client.Config.RegionEndpoint?.SystemName) + "/" + bucket + "/" + prefix;
    }

    /// <summary>Where the store keeps its files: <c>s3:&lt;endpoint&gt;/&lt;bucket&gt;/&lt;prefix&gt;</c>.</summary>
    public string Location { get; }

    internal ILogger Logger => _logger;

    /// <summary>When the store was created: an unfinished upload that names no owner is removed on start only when older, less <see cref="AbandonedUploadAge"/>.</summary>
    internal DateTimeOffset StartedAt { get; }

    internal TimeSpan AbandonedUploadAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>This store instance's id: in the names of its content objects and journal entries, and held with the arbiter while it lives.</summary>
    internal string InstanceId => _instanceId;

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
        var blobName = BlobPrefix + _instanceId + "-" + Guid.NewGuid().ToString("N") + "-" + fileId;
        var blob = _prefix + blobName;
        string? uploadId = null;
        var journaled = false;
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

            // The upload names this instance; while its lease is held, no other instance's clean-up touches the upload.
            await EnsureInstanceLeaseAsync(cancellationToken).ConfigureAwait(false);
            uploadId = (await S3Errors.CallAsync(t => _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = blob,
                ContentType = options.ContentType,
            }, t), cancellationToken).ConfigureAwait(false)).UploadId;

            // One small PUT per upload (not per part): the upload id is all a later clean-up needs (see RemoveUploadAsync).
            await S3Errors.CallAsync(t => _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _bucket,
                Key = _prefix + JournalPrefix + blobName,
                ContentBody = uploadId,
                UseChunkEncoding = false,
                DisableDefaultChecksumValidation = true,
            }, t), cancellationToken).ConfigureAwait(false);
            journaled = true;

            var parts = new List<PartETag>();
            while (filled > 0)
            {
                // The part is hashed on another thread while it uploads, so the SHA-256 is off the write's path where a
                // core is free (docs/performance.md). Both only read the buffer, and both are awaited before it is
                // refilled or returned to the pool.
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

            await OnUploadAsync(() => S3Errors.CallAsync(t => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = blob,
                UploadId = uploadId,
                PartETags = parts,
            }, t), cancellationToken)).ConfigureAwait(false);
            uploadId = null;
            blobWritten = true;

            var stored = Describe(fileId, size, hash, options);
            await PublishAsync(fileId, options.Overwrite, token => PutAsync(fileId, stored, body: null, blobName, options.Overwrite, token), cancellationToken).ConfigureAwait(false);
            published = true;
            return stored;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);

            // Not the caller's token: a cancelled write must still clean up after itself. The journal entry goes once the
            // upload is gone and before the content object, so that an entry always names an upload or an object that
            // is still there (a kill in between leaves an unreferenced content object, which start-up clean-up removes).
            var uploadGone = uploadId is null
                || await RemoveUploadAsync(blob, uploadId, journaled ? _prefix + JournalPrefix + blobName : null, "write failed", CancellationToken.None).ConfigureAwait(false);
            if (journaled && uploadGone)
            {
                await CleanUpAsync(() => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = _prefix + JournalPrefix + blobName }), blob).ConfigureAwait(false);
            }

            if (!published && (blobWritten || uploadId is not null))
            {
                // A server that cannot abort had the upload completed to get rid of its parts: that object goes too.
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
    /// Removes what writes of store instances that are gone left behind (a killed process): their multipart uploads
    /// (aborted, found through the journal and, where the server lists them, the upload listing) and their content
    /// objects that no file names. An instance is gone when the arbiter lets this one take its key, which it holds for its
    /// lifetime; what names no instance (written otherwise) is removed only when older than <paramref name="olderThan"/>.
    /// </summary>
    /// <param name="olderThan">The age rule for uploads and content objects that name no store instance.</param>
    /// <param name="cancellationToken">Cancels the clean-up.</param>
    /// <returns>How many uploads and content objects were removed.</returns>
    /// <exception cref="DependencyUnavailableException">The object store or the arbiter cannot be reached.</exception>
    public async Task<int> RemoveAbandonedUploadsAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        await EnsureInstanceLeaseAsync(cancellationToken).ConfigureAwait(false);
        var owners = new Dictionary<string, IFileStoreLease?>(StringComparer.Ordinal);
        try
        {
            var removed = 0;

            // 1. The journal: uploads in flight, by their content object's name.
            var journal = _prefix + JournalPrefix;
            await foreach (var item in ListKeysAsync(journal, cancellationToken).ConfigureAwait(false))
            {
                var blobName = item.Key[journal.Length..];
                if (await AbandonedAsync(blobName, item.LastModified, olderThan, owners, cancellationToken).ConfigureAwait(false) is not { } reason)
                {
                    continue;
                }

                string uploadId;
                try
                {
                    using var entry = await S3Errors.CallAsync(t => _client.GetObjectAsync(_bucket, item.Key, t), cancellationToken).ConfigureAwait(false);
                    using var reader = new StreamReader(entry.ResponseStream);
                    uploadId = (await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false)).Trim();
                }
                catch (AmazonS3Exception exception) when (S3Errors.IsNotFound(exception))
                {
                    continue;   // another starting instance got there first
                }

                if (uploadId.Length == 0 || await RemoveUploadAsync(_prefix + blobName, uploadId, item.Key, reason, cancellationToken).ConfigureAwait(false))
                {
                    await S3Errors.CallAsync(t => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = item.Key }, t), cancellationToken).ConfigureAwait(false);
                    removed++;
                }
            }

            // 2. The server's own list of uploads, where it has one (AWS, MinIO; not s3rver): uploads never journaled.
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
                    break;
                }

                foreach (var upload in response.MultipartUploads ?? [])
                {
                    if (await AbandonedAsync(upload.Key[_prefix.Length..], upload.Initiated, olderThan, owners, cancellationToken).ConfigureAwait(false) is { } reason
                        && await RemoveUploadAsync(upload.Key, upload.UploadId, journalKey: null, reason, cancellationToken).ConfigureAwait(false))
                    {
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

            // 3. Content objects no file names: completed but never published, or completed only to be rid of the parts.
            await foreach (var item in ListKeysAsync(_prefix + BlobPrefix, cancellationToken).ConfigureAwait(false))
            {
                if (await AbandonedAsync(item.Key[_prefix.Length..], item.LastModified, olderThan, owners, cancellationToken).ConfigureAwait(false) is { } reason
                    && !await IsReferencedAsync(item.Key, cancellationToken).ConfigureAwait(false))
                {
                    await S3Errors.CallAsync(t => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = item.Key }, t), cancellationToken).ConfigureAwait(false);
                    Log.AbandonedObjectRemoved(_logger, item.Key, reason, "cleanup");
                    removed++;
                }
            }

            return removed;
        }
        finally
        {
            // Held through the run so that two instances starting at once do not both clean one dead instance up.
            foreach (var lease in owners.Values)
            {
                if (lease is not null)
                {
                    await lease.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// Why the upload or content object <paramref name="name"/> (a content object's name) is abandoned, or <see langword="null"/>
    /// when it is not: its instance is gone (its key is free), or it names none and is older than <paramref name="olderThan"/>.
    /// </summary>
    private async Task<string?> AbandonedAsync(string name, DateTime? modified, DateTimeOffset olderThan, Dictionary<string, IFileStoreLease?> owners, CancellationToken cancellationToken)
    {
        if (OwnerOf(name) is not { } owner)
        {
            return modified is { } at && new DateTimeOffset(at.ToUniversalTime()) < olderThan ? "no owner, old" : null;
        }

        if (string.Equals(owner, _instanceId, StringComparison.Ordinal))
        {
            return null;
        }

        if (!owners.TryGetValue(owner, out var lease))
        {
            lease = await _arbiter.TryAcquireAsync(Location, InstanceKeyPrefix + owner, cancellationToken).ConfigureAwait(false);
            owners[owner] = lease;
        }

        return lease is null ? null : "owner gone";
    }

    /// <summary>The instance id in a content object's name (<c>.blob-&lt;instance&gt;-&lt;write&gt;-&lt;id&gt;</c>), or <see langword="null"/>.</summary>
    private static string? OwnerOf(string blobName)
    {
        const int IdStart = 6 + GuidLength + 1 + GuidLength + 1;
        return blobName.Length > IdStart && blobName.StartsWith(BlobPrefix, StringComparison.Ordinal)
            && blobName[BlobPrefix.Length + GuidLength] == '-' && blobName[IdStart - 1] == '-'
            && IsHex(blobName.AsSpan(BlobPrefix.Length, GuidLength)) && IsHex(blobName.AsSpan(BlobPrefix.Length + GuidLength + 1, GuidLength))
            && FileIds.IsValid(blobName[IdStart..])
            ? blobName.Substring(BlobPrefix.Length, GuidLength)
            : null;

        static bool IsHex(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(LowerHex);
    }

    /// <summary>
    /// Gets rid of a multipart upload: aborted, or, on a server that cannot abort (s3rver: 405), completed with one
    /// 1-byte part that replaces whatever was uploaded as part 1. Completing discards every part it does not list, so
    /// this needs no record of the parts; it is plain S3, so it works on any server. The object it makes is not a
    /// file's: the caller deletes it. An upload that is already gone (completed, or aborted by someone else) counts as
    /// removed.
    /// </summary>
    /// <param name="key">The content object's key.</param>
    /// <param name="uploadId">The upload.</param>
    /// <param name="journalKey">The upload's journal entry, if it was written: when it is gone, another instance's clean-up has removed the upload.</param>
    /// <param name="reason">Why, for the log.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>Whether the upload is gone; <see langword="false"/> (logged) when the server could not be reached.</returns>
    private async Task<bool> RemoveUploadAsync(string key, string uploadId, string? journalKey, string reason, CancellationToken cancellationToken)
    {
        try
        {
            try
            {
                await S3Errors.CallAsync(t => _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = uploadId }, t), cancellationToken).ConfigureAwait(false);
                Log.AbandonedUploadRemoved(_logger, key, reason, "abort");
                return true;
            }
            catch (AmazonS3Exception exception) when (S3Errors.IsNotFound(exception))
            {
                return true;
            }
            catch (DependencyUnavailableException exception) when (S3Errors.IsNotImplemented(exception.InnerException))
            {
                // Completed already (the object exists only once its upload is complete), or removed by another
                // instance's clean-up (which deletes the journal entry after)? Then there are no parts left, and a part
                // sent now would start a new upload on s3rver, which does not check the upload id.
                if (await ExistsObjectAsync(key, cancellationToken).ConfigureAwait(false)
                    || (journalKey is not null && !await ExistsObjectAsync(journalKey, cancellationToken).ConfigureAwait(false)))
                {
                    return true;
                }
            }

            var part = await S3Errors.CallAsync(t => _client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = _bucket,
                Key = key,
                UploadId = uploadId,
                PartNumber = 1,
                InputStream = new MemoryStream([0], writable: false),
                PartSize = 1,
                UseChunkEncoding = false,
                DisableDefaultChecksumValidation = true,
            }, t), cancellationToken).ConfigureAwait(false);
            await S3Errors.CallAsync(t => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = [new PartETag(1, part.ETag)],
            }, t), cancellationToken).ConfigureAwait(false);
            Log.AbandonedUploadRemoved(_logger, key, reason, "complete");
            return true;
        }
        catch (AmazonS3Exception exception) when (S3Errors.IsNotFound(exception))
        {
            return true;
        }
        catch (DependencyUnavailableException exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The next start's clean-up finds the upload again (its journal entry stays).
            Log.CleanUpFailed(_logger, key, "cleanup", exception.InnerException?.GetType().Name ?? exception.GetType().Name);
            return false;
        }
    }

    private async Task<bool> ExistsObjectAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await S3Errors.CallAsync(t => _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, t), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception exception) when (S3Errors.IsNotFound(exception))
        {
            return false;
        }
    }

    private async IAsyncEnumerable<S3Object> ListKeysAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = prefix };
        while (true)
        {
            var response = await S3Errors.CallAsync(t => _client.ListObjectsV2Async(request, t), cancellationToken).ConfigureAwait(false);
            foreach (var item in response.S3Objects ?? [])
            {
                yield return item;
            }

            if (response.IsTruncated != true)
            {
                yield break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    /// <summary>
    /// Holds this instance's key with the arbiter, taking it again when the arbiter lost it (a shared arbiter's connection
    /// broke): checked before each multipart upload, the only thing another instance's clean-up could take from this one.
    /// </summary>
    private async Task EnsureInstanceLeaseAsync(CancellationToken cancellationToken)
    {
        await _leaseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_instanceLease is not null)
            {
                if (await _instanceLease.IsHeldAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                Log.InstanceLeaseLost(_logger, Location, "lease");
                await DisposeQuietlyAsync(_instanceLease).ConfigureAwait(false);
                _instanceLease = null;
            }

            // Free unless another instance's start-up clean-up holds it right now, taking this one for gone while the
            // lease was lost: it lets go within its run.
            for (var attempt = 0; ; attempt++)
            {
                _instanceLease = await _arbiter.TryAcquireAsync(Location, InstanceKeyPrefix + _instanceId, cancellationToken).ConfigureAwait(false);
                if (_instanceLease is not null)
                {
                    return;
                }

                if (attempt == 20)
                {
                    throw new DependencyUnavailableException("The file store's arbiter holds this instance's key elsewhere; try again.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _leaseGate.Release();
        }
    }

    private static async Task DisposeQuietlyAsync(IAsyncDisposable lease)
    {
        try
        {
            await lease.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is DependencyUnavailableException or IOException or TimeoutException or InvalidOperationException)
        {
            // A lost lease has nothing left to free.
        }
    }

    /// <summary>Whether the file a content object belongs to (its name ends in the id) still names it.</summary>
    private async Task<bool> IsReferencedAsync(string blobKey, CancellationToken cancellationToken)
    {
        var blobName = blobKey[_prefix.Length..];
        var idStart = BlobPrefix.Length + GuidLength + 1 + GuidLength + 1;
        if (OwnerOf(blobName) is null)
        {
            // A content object named otherwise (by an earlier version: ".blob-<write>-<id>").
            idStart = BlobPrefix.Length + GuidLength + 1;
        }

        if (blobName.Length <= idStart || !FileIds.IsValid(blobName[idStart..]))
        {
            return false;
        }

        return await HeadAsync(blobName[idStart..], cancellationToken).ConfigureAwait(false) is { } file
            && string.Equals(file.Blob, blobKey, StringComparison.Ordinal);
    }

    /// <summary>Whether the bucket answers: one listing of at most one key under the prefix.</summary>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>A task that fails with <see cref="DependencyUnavailableException"/> when the store cannot be reached.</returns>
    public Task ProbeAsync(CancellationToken cancellationToken = default) =>
        S3Errors.CallAsync(t => _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix, MaxKeys = 1 }, t), cancellationToken);

    /// <summary>Frees this instance's key with the arbiter (so the next start's clean-up may remove its unfinished uploads) and disposes the client if the store owns it.</summary>
    /// <returns>A task that completes when the store is disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _leaseGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_instanceLease is not null)
            {
                await DisposeQuietlyAsync(_instanceLease).ConfigureAwait(false);
                _instanceLease = null;
            }
        }
        finally
        {
            _leaseGate.Release();
        }

        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

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
        var response = await OnUploadAsync(() => S3Errors.CallAsync(t => _client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = _bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = number,
            InputStream = body,
            PartSize = count,
            UseChunkEncoding = false,
            DisableDefaultChecksumValidation = true,
        }, t), cancellationToken)).ConfigureAwait(false);
        return new PartETag(number, response.ETag);
    }

    /// <summary>
    /// A call on this write's multipart upload: 404 (NoSuchUpload) means another instance's start-up clean-up removed it,
    /// having taken this instance for gone while the arbiter had lost its lease. The write fails as the store being
    /// unavailable (503, worth a retry), not as a server error.
    /// </summary>
    private static async Task<T> OnUploadAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AmazonS3Exception exception) when (S3Errors.IsNotFound(exception))
        {
            throw new DependencyUnavailableException(S3Errors.Unavailable, exception);
        }
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
}

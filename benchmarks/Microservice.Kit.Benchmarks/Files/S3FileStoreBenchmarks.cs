using System.Buffers;
using Amazon.S3;
using Amazon.S3.Model;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microservice.Kit.Files;
using Microservice.Kit.S3.Files;

namespace Microservice.Kit.Benchmarks.Files;

/// <summary>
/// Writing a file through <see cref="S3FileStore"/> (one pooled part buffer, SHA-256 while streaming, a <c>HEAD</c> and
/// a publishing <c>PUT</c> under the arbiter) against the same bytes uploaded by hand on <see cref="AmazonS3Client"/>: one
/// <c>PUT</c> when they fit in a part, else a multipart upload with the same part size, read through one pooled buffer,
/// no hashing. Both read a non-seekable stream (as a request body is) and use clients made by
/// <see cref="S3ClientFactory"/> (path style, no default checksums, no aws-chunked bodies). Two cases: a new file each
/// time (the store's default create-only write: one more <c>HEAD</c> before reading the content), and replacing one file
/// (the store deletes the replaced version's content object after publishing; by hand the server replaces the key).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[RequiresS3Server]
#pragma warning disable CA1001 // BenchmarkDotNet owns the lifetime: [GlobalCleanup] disposes.
public class S3FileStoreWriteBenchmarks
{
    private S3Bench _bench = null!;
    private ForwardOnlyStream _source = null!;
    private int _next;

    [Params(1 << 20, 64 << 20)]
    public int Size { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _bench = await S3Bench.CreateAsync();
        _source = new ForwardOnlyStream(S3Bench.Content(Size));
    }

    [GlobalCleanup]
    public Task Cleanup() => _bench is null ? Task.CompletedTask : _bench.DisposeAsync().AsTask();

    [Benchmark(Baseline = true, Description = "by hand: new key (PUT or multipart)")]
    [BenchmarkCategory("S3WriteNew")]
    public Task<long> HandWrittenWriteNew()
    {
        _source.Rewind();
        return _bench.HandWrittenUploadAsync("plain-" + ++_next, _source);
    }

    [Benchmark(Description = "S3FileStore.WriteAsync: new id")]
    [BenchmarkCategory("S3WriteNew")]
    public Task<StoredFileInfo> KitWriteNew()
    {
        _source.Rewind();
        return _bench.Store.WriteAsync("bench-" + ++_next, _source, new FileWriteOptions { ContentType = "application/octet-stream" });
    }

    [Benchmark(Baseline = true, Description = "by hand: same key again")]
    [BenchmarkCategory("S3Overwrite")]
    public Task<long> HandWrittenOverwrite()
    {
        _source.Rewind();
        return _bench.HandWrittenUploadAsync("plain", _source);
    }

    [Benchmark(Description = "S3FileStore.WriteAsync: overwrite")]
    [BenchmarkCategory("S3Overwrite")]
    public Task<StoredFileInfo> KitOverwrite()
    {
        _source.Rewind();
        return _bench.Store.WriteAsync("bench", _source, new FileWriteOptions { Overwrite = true, ContentType = "application/octet-stream" });
    }
}

/// <summary>
/// Reading a whole file through <see cref="S3FileStore"/> (a <c>HEAD</c> for the metadata, then one ranged <c>GET</c> with
/// <c>If-Match</c>) against <c>GetObjectAsync</c> and a copy by hand of an object of the same bytes, all to <see cref="Stream.Null"/>;
/// and the same by hand with a <c>Range</c> header, which is the store's way of reading.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[RequiresS3Server]
public class S3FileStoreReadBenchmarks
{
    private S3Bench _bench = null!;

    [Params(1 << 20, 64 << 20)]
    public int Size { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _bench = await S3Bench.CreateAsync();
        var content = S3Bench.Content(Size);
        await _bench.Store.WriteAsync("bench", new MemoryStream(content, writable: false));
        await _bench.HandWrittenUploadAsync("plain", new MemoryStream(content, writable: false));
    }

    [GlobalCleanup]
    public Task Cleanup() => _bench is null ? Task.CompletedTask : _bench.DisposeAsync().AsTask();

    [Benchmark(Baseline = true, Description = "GetObjectAsync + copy by hand")]
    public async Task HandWrittenRead()
    {
        using var response = await _bench.HandClient.GetObjectAsync(_bench.Bucket, "plain");
        await response.ResponseStream.CopyToAsync(Stream.Null);
    }

    // For the explanation, not a second baseline: the SDK checks a whole-object GET against an MD5 ETag while it
    // reads (its MD5 stream), a ranged GET is not checked; the store reads by range (docs/performance.md, S3 store).
    [Benchmark(Description = "GetObjectAsync with a Range by hand")]
    public async Task HandWrittenRangedRead()
    {
        using var response = await _bench.HandClient.GetObjectAsync(new GetObjectRequest { BucketName = _bench.Bucket, Key = "plain", ByteRange = new ByteRange(0, Size - 1) });
        await response.ResponseStream.CopyToAsync(Stream.Null);
    }

    [Benchmark(Description = "S3FileStore.OpenReadAsync + copy")]
    public async Task KitRead()
    {
        await using var file = await _bench.Store.OpenReadAsync("bench") ?? throw new InvalidOperationException("The benchmark's file is missing.");
        await file.Content.CopyToAsync(Stream.Null);
    }
}

/// <summary>
/// A bucket of its own on the S3-compatible server, the store on it and a second client for the hand-written side,
/// both made by <see cref="S3ClientFactory"/> with the store's default part size. Disposing deletes what was written.
/// </summary>
internal sealed class S3Bench : IAsyncDisposable
{
    public const int PartSize = 8 * 1024 * 1024;

    private readonly AmazonS3Client _storeClient;

    private S3Bench(AmazonS3Client storeClient, AmazonS3Client handClient, string bucket)
    {
        _storeClient = storeClient;
        HandClient = handClient;
        Bucket = bucket;
        Store = new S3FileStore(storeClient, bucket, prefix: "", PartSize);
    }

    public AmazonS3Client HandClient { get; }

    public string Bucket { get; }

    public S3FileStore Store { get; }

    public static async Task<S3Bench> CreateAsync()
    {
        var url = BenchmarkServers.S3ServiceUrl;

        // The test server knows one key pair; the SDK reads credentials the standard AWS way, from the environment.
        if (Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is null)
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
        }

        var bucket = "kit-bench-" + Guid.NewGuid().ToString("N");
        var options = new S3FileStoreOptions { ServiceUrl = url, Bucket = bucket };
        var storeClient = S3ClientFactory.Create(options);
        var handClient = S3ClientFactory.Create(options);
        await handClient.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        return new S3Bench(storeClient, handClient, bucket);
    }

    public static byte[] Content(int size)
    {
        var content = new byte[size];
        new Random(42).NextBytes(content);
        return content;
    }

    /// <summary>
    /// What a team would write without the kit: the content through one pooled buffer of <see cref="PartSize"/>; one
    /// <c>PUT</c> when it fits, else initiate, one <c>UploadPart</c> per buffer, complete (abort on failure).
    /// </summary>
    public async Task<long> HandWrittenUploadAsync(string key, Stream content)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(PartSize);
        string? uploadId = null;
        try
        {
            var filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, PartSize), PartSize, throwOnEndOfStream: false);
            long size = filled;
            if (filled < PartSize)
            {
                using var body = new MemoryStream(buffer, 0, filled, writable: false);
                await HandClient.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = Bucket,
                    Key = key,
                    InputStream = body,
                    ContentType = "application/octet-stream",
                    UseChunkEncoding = false,
                    DisableDefaultChecksumValidation = true,
                });
                return size;
            }

            uploadId = (await HandClient.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
            {
                BucketName = Bucket,
                Key = key,
                ContentType = "application/octet-stream",
            })).UploadId;
            var parts = new List<PartETag>();
            while (filled > 0)
            {
                using var body = new MemoryStream(buffer, 0, filled, writable: false);
                var part = await HandClient.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = Bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartNumber = parts.Count + 1,
                    InputStream = body,
                    PartSize = filled,
                    UseChunkEncoding = false,
                    DisableDefaultChecksumValidation = true,
                });
                parts.Add(new PartETag(parts.Count + 1, part.ETag));
                filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, PartSize), PartSize, throwOnEndOfStream: false);
                size += filled;
            }

            await HandClient.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = Bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = parts,
            });
            uploadId = null;
            return size;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (uploadId is not null)
            {
                await HandClient.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = uploadId });
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Store.Dispose();
        var listing = new ListObjectsV2Request { BucketName = Bucket };
        while (true)
        {
            var page = await HandClient.ListObjectsV2Async(listing);
            await Parallel.ForEachAsync(page.S3Objects ?? [], new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (item, token) => await HandClient.DeleteObjectAsync(Bucket, item.Key, token));

            if (page.IsTruncated != true)
            {
                break;
            }

            listing.ContinuationToken = page.NextContinuationToken;
        }

        await HandClient.DeleteBucketAsync(Bucket);
        HandClient.Dispose();
        _storeClient.Dispose();
    }
}

/// <summary>A request body stands for: read-only, forward only, length unknown. <see cref="Rewind"/> starts it again.</summary>
internal sealed class ForwardOnlyStream(byte[] content) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public void Rewind() => _position = 0;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, content.Length - _position);
        content.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

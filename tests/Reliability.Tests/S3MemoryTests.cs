using System.Diagnostics;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Microservice.Kit.S3.Files;
using Microservice.Kit.Tests.Infrastructure;
using Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Reliability.Tests;

/// <summary>
/// Memory of a large streaming write on the S3 store: 1 GiB of unknown length (a non-seekable stream, as a request body
/// is) through <see cref="S3FileStore.WriteAsync"/> on the s3rver test server, in a bucket of its own that is deleted
/// afterwards. The managed allocations of the whole process during the write (the suite runs one test at a time) must
/// stay within 32 MiB: one pooled part buffer (8 MiB) and the SDK's per-request objects, where holding the file would
/// be 1 GiB. Run: <c>RELIABILITY_SLOW=1 dotnet test tests/Reliability.Tests -c Release --filter FullyQualifiedName~S3Memory</c>.
/// </summary>
public sealed class S3MemoryTests(ITestOutputHelper output)
{
    private const long FileBytes = 1L << 30;
    private const long AllocationBound = 32L << 20;

    [SlowFact]
    public async Task Write1GiBOfUnknownLength_AllocatesAtMost32MiB_AndStoresEveryByte()
    {
        if (Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is null)
        {
            // The test server knows one key pair; the SDK reads credentials the standard AWS way, from the environment.
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
        }

        var bucket = await TestServers.CreateS3BucketAsync("kit-memory");
        using var client = S3ClientFactory.Create(new S3FileStoreOptions { ServiceUrl = TestServers.S3ServiceUrl.ToString(), Bucket = bucket, RequestTimeout = TimeSpan.FromMinutes(2) });
        using var store = new S3FileStore(client, bucket);
        try
        {
            using var source = new GeneratedStream(FileBytes);
            using var process = Process.GetCurrentProcess();
            var peakBefore = process.PeakWorkingSet64;
            GC.Collect();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();

            var stored = await store.WriteAsync("large", source);

            clock.Stop();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            process.Refresh();
            var peakAfter = process.PeakWorkingSet64;
            output.WriteLine($"1 GiB write: {allocated / 1048576.0:F1} MiB allocated, peak working set {peakBefore >> 20} MiB before, {peakAfter >> 20} MiB after, {clock.Elapsed.TotalSeconds:F1} s ({FileBytes / 1048576.0 / clock.Elapsed.TotalSeconds:F0} MiB/s)");

            Assert.True(allocated <= AllocationBound, $"{allocated} bytes allocated for a 1 GiB write; the bound is {AllocationBound}.");
            Assert.Equal(FileBytes, stored.Size);
            Assert.Equal(source.Sha256, stored.Sha256);

            // Every byte reached the server: the content object is the whole file (one object of 1 GiB in the bucket).
            var objects = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
            Assert.Contains(objects.S3Objects ?? [], o => o.Size == FileBytes);
        }
        finally
        {
            await DeleteBucketAsync(client, bucket);
        }
    }

    private static async Task DeleteBucketAsync(AmazonS3Client client, string bucket)
    {
        var objects = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        foreach (var item in objects.S3Objects ?? [])
        {
            await client.DeleteObjectAsync(bucket, item.Key);
        }

        await client.DeleteBucketAsync(bucket);
    }

    /// <summary>
    /// <paramref name="length"/> bytes of a repeated random block, forward only and of unknown length, hashed as they are
    /// read so that the test knows the SHA-256 the store must report without holding the content.
    /// </summary>
    private sealed class GeneratedStream(long length) : Stream
    {
        private readonly byte[] _block = RandomNumberGenerator.GetBytes(1 << 20);
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _position;

        public string Sha256 => Convert.ToHexStringLower(_hash.GetCurrentHash());

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var offset = (int)(_position % _block.Length);
            var count = (int)Math.Min(Math.Min(buffer.Length, _block.Length - offset), length - _position);
            _block.AsSpan(offset, count).CopyTo(buffer);
            _hash.AppendData(buffer[..count]);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

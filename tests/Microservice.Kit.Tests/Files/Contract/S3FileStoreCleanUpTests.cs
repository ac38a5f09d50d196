using Amazon.S3;
using Amazon.S3.Model;
using Microservice.Kit.Files;
using Microservice.Kit.Problems;
using Microservice.Kit.S3.Files;
using Microservice.Kit.Tests.Infrastructure;

namespace Microservice.Kit.Tests.Files.Contract;

/// <summary>
/// Start-up clean-up of <see cref="S3FileStore"/> decides by owner, not by age: an upload whose store instance is gone
/// (its arbiter key is free) is removed at once, one whose instance lives (its key is held) is kept. Two stores with
/// arbiters of their own stand for two processes; a store disposed in the middle of a write stands for a killed one
/// (its key is freed, its write never finishes).
/// </summary>
public sealed class S3FileStoreCleanUpTests : IClassFixture<S3BucketFixture>
{
    private const int PartSize = 5 * 1024 * 1024;
    private readonly S3BucketFixture _bucket;
    private readonly string _prefix = "c" + Guid.NewGuid().ToString("N")[..12] + "/";

    public S3FileStoreCleanUpTests(S3BucketFixture bucket)
    {
        _bucket = bucket;
    }

    [S3Fact]
    public async Task DeadInstance_UploadInFlight_NextStartRemovesItsUploadAndJournal_WithoutWaitingAnHour()
    {
        var dying = new S3FileStore(_bucket.Client, _bucket.Name, _prefix, PartSize);
        var content = new PausingStream(12 * 1024 * 1024, pauseAt: 11 * 1024 * 1024);
        var write = dying.WriteAsync("killed", content);
        await content.Paused.WaitAsync(TimeSpan.FromSeconds(60));   // two parts are stored
        var journal = Assert.Single(await KeysAsync(".uploads/"));
        dying.Dispose();   // the process is gone: its key with the arbiter is free, its write never goes on

        using var restarted = new S3FileStore(_bucket.Client, _bucket.Name, _prefix, PartSize);
        var removed = await restarted.RemoveAbandonedUploadsAsync(DateTimeOffset.UtcNow.AddHours(-1));

        Assert.True(removed >= 1, $"removed {removed}");
        Assert.Empty(await KeysAsync(string.Empty));   // no journal entry, no content object, no file
        Assert.Empty(await UploadsAsync());
        Assert.Contains(dying.InstanceId, journal, StringComparison.Ordinal);
        content.Fail();
        await Assert.ThrowsAnyAsync<Exception>(() => write);
        Assert.Empty(await KeysAsync(string.Empty));
    }

    [S3Fact]
    public async Task LiveInstance_UploadInFlight_IsKeptByAnotherStart_AndCompletes()
    {
        var arbiter = new InProcessFileStoreArbiter();   // one process: both instances hold their keys in it
        using var writer = new S3FileStore(_bucket.Client, _bucket.Name, _prefix, PartSize, arbiter);
        var content = new PausingStream(12 * 1024 * 1024, pauseAt: 11 * 1024 * 1024);
        var write = writer.WriteAsync("live", content);
        await content.Paused.WaitAsync(TimeSpan.FromSeconds(60));

        using var starting = new S3FileStore(_bucket.Client, _bucket.Name, _prefix, PartSize, arbiter);
        var removed = await starting.RemoveAbandonedUploadsAsync(DateTimeOffset.UtcNow.AddDays(1));   // even the age rule would remove it
        content.Resume();
        var stored = await write.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, removed);
        Assert.Equal(12 * 1024 * 1024, stored.Size);
        Assert.Equal(stored.Sha256, (await starting.GetInfoAsync("live"))?.Sha256);
        Assert.Empty(await KeysAsync(".uploads/"));
    }

    [S3Fact]
    public async Task UploadRemovedByAnotherStart_WhileTheWriterLives_FailsWith503()
    {
        // The writer's arbiter lost its lease (modelled by an arbiter of its own), so another start removes its upload.
        using var writer = new S3FileStore(_bucket.Client, _bucket.Name, _prefix, PartSize);
        var content = new PausingStream(12 * 1024 * 1024, pauseAt: 11 * 1024 * 1024);
        var write = writer.WriteAsync("orphaned", content);
        await content.Paused.WaitAsync(TimeSpan.FromSeconds(60));

        using var starting = new S3FileStore(_bucket.Client, _bucket.Name, _prefix, PartSize);
        await starting.RemoveAbandonedUploadsAsync(DateTimeOffset.UtcNow.AddHours(-1));
        content.Resume();
        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => write.WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal(503, error.StatusCode);
        Assert.Null(await starting.GetInfoAsync("orphaned"));
    }

    [S3Fact]
    public async Task ContentObjects_OfAGoneInstanceAreRemoved_OfALiveOneKept_AndUnnamedOnesOnlyWhenOld()
    {
        using var store = new S3FileStore(_bucket.Client, _bucket.Name, _prefix, PartSize);
        await store.WriteAsync("kept-large", new MemoryStream(TestFiles.Binary(6 * 1024 * 1024)));
        var gone = ".blob-" + Guid.NewGuid().ToString("N") + "-" + Guid.NewGuid().ToString("N") + "-never-published";
        var own = ".blob-" + store.InstanceId + "-" + Guid.NewGuid().ToString("N") + "-being-published";
        var unnamed = ".blob-" + Guid.NewGuid().ToString("N") + "-written-by-an-earlier-version";
        foreach (var key in new[] { gone, own, unnamed })
        {
            await _bucket.Client.PutObjectAsync(new PutObjectRequest { BucketName = _bucket.Name, Key = _prefix + key, ContentBody = "x", UseChunkEncoding = false });
        }

        var removed = await store.RemoveAbandonedUploadsAsync(DateTimeOffset.UtcNow.AddHours(-1));
        var left = await KeysAsync(".blob-");

        Assert.Equal(1, removed);
        Assert.DoesNotContain(gone, left);
        Assert.Contains(own, left);
        Assert.Contains(unnamed, left);
        Assert.Equal(1, await store.RemoveAbandonedUploadsAsync(DateTimeOffset.UtcNow.AddMinutes(1)));   // the age rule, for what names no owner
        Assert.Equal(6 * 1024 * 1024, (await store.GetInfoAsync("kept-large"))?.Size);
    }

    private async Task<List<string>> KeysAsync(string under)
    {
        var response = await _bucket.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket.Name, Prefix = _prefix + under });
        return (response.S3Objects ?? []).Select(o => o.Key[_prefix.Length..]).ToList();
    }

    /// <summary>The multipart uploads under the prefix where the server lists them; s3rver cannot (the process test looks in its folder).</summary>
    private async Task<IReadOnlyList<MultipartUpload>> UploadsAsync()
    {
        try
        {
            return (await _bucket.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = _bucket.Name, Prefix = _prefix })).MultipartUploads ?? [];
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode is System.Net.HttpStatusCode.NotImplemented or System.Net.HttpStatusCode.MethodNotAllowed)
        {
            return [];
        }
    }
}

/// <summary>
/// Content of a given length that stops once <c>pauseAt</c> bytes have been read (<see cref="Paused"/> completes) until
/// the test resumes it or makes it fail: a client whose upload is in flight while something else happens.
/// </summary>
internal sealed class PausingStream(long length, long pauseAt) : Stream
{
    private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _position;

    public Task Paused => _paused.Task;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public void Resume() => _resume.TrySetResult(true);

    public void Fail() => _resume.TrySetResult(false);

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= pauseAt)
        {
            _paused.TrySetResult();
            if (!await _resume.Task.WaitAsync(cancellationToken))
            {
                throw new IOException("The client went away.");
            }
        }

        var count = (int)Math.Min(Math.Min(buffer.Length, 64 * 1024), Math.Min(length, pauseAt > _position ? pauseAt : length) - _position);
        buffer.Span[..count].Fill((byte)(_position % 251));
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

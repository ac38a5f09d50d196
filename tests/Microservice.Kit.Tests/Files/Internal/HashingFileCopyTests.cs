using System.Buffers;
using System.Security.Cryptography;
using Microservice.Kit.Files.Internal;

namespace Microservice.Kit.Tests.Files.Internal;

public sealed class HashingFileCopyTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(100_003)]
    public async Task Copy_AnySize_WritesTheContentAtTheOffsetAndReturnsItsSha256(int size)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        var path = Path.Combine(_root.Path, "target");
        var chunks = new List<int>();

        (long Size, string Sha256) result;
        using (var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write))
        {
            result = await HashingFileCopy.CopyAsync(new MemoryStream(content), file, offset: 100, bufferBytes: 4096, writeBehindBytes: 8192, chunks.Add, CancellationToken.None);
        }

        Assert.Equal(size, result.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), result.Sha256);
        var written = await File.ReadAllBytesAsync(path);
        Assert.Equal(size == 0 ? 0 : size + 100, written.Length);
        Assert.Equal(content, written.AsSpan(Math.Min(100, written.Length)).ToArray());
        Assert.Equal(size, chunks.Sum());
        Assert.All(chunks, c => Assert.InRange(c, 1, 4096));
    }

    [Fact]
    public async Task Copy_SpaceCheckRefusesAChunk_StopsBeforeWritingItAndThrowsThatError()
    {
        var content = RandomNumberGenerator.GetBytes(5 * 4096);
        var path = Path.Combine(_root.Path, "target");
        var seen = 0;

        using (var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write))
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => HashingFileCopy.CopyAsync(
                new MemoryStream(content), file, offset: 0, bufferBytes: 4096, writeBehindBytes: 8192,
                bytes => { if (++seen == 3) { throw new InvalidOperationException("quota"); } },
                CancellationToken.None));
            Assert.Equal("quota", error.Message);
        }

        // The two chunks before the refused one are on the disk (the caller deletes the temporary file), no more.
        Assert.Equal(content.AsSpan(0, 2 * 4096).ToArray(), await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Copy_SourceFailsMidway_ThrowsItsErrorAfterTheWriteInFlightFinished()
    {
        var path = Path.Combine(_root.Path, "target");
        var source = new FailingStream(RandomNumberGenerator.GetBytes(3 * 4096), failAfterBytes: 2 * 4096);

        using (var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write))
        {
            await Assert.ThrowsAsync<IOException>(() =>
                HashingFileCopy.CopyAsync(source, file, offset: 0, bufferBytes: 4096, writeBehindBytes: 8192, _ => { }, CancellationToken.None));
        }

        Assert.Equal(2 * 4096, new FileInfo(path).Length);
    }

    [Fact]
    public async Task Copy_TargetRefusesTheWrite_ThrowsTheWriteError()
    {
        var path = Path.Combine(_root.Path, "target");
        await File.WriteAllBytesAsync(path, [1]);

        using var readOnly = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var error = await Record.ExceptionAsync(() => HashingFileCopy.CopyAsync(
            new MemoryStream(new byte[10_000]), readOnly, offset: 0, bufferBytes: 4096, writeBehindBytes: 8192, _ => { }, CancellationToken.None));

        Assert.True(error is UnauthorizedAccessException or IOException or NotSupportedException, $"unexpected {error?.GetType()}");
    }

    [Fact]
    public async Task Copy_Cancelled_ThrowsOperationCanceled()
    {
        var path = Path.Combine(_root.Path, "target");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        using var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            HashingFileCopy.CopyAsync(new SlowStream(), file, offset: 0, bufferBytes: 4096, writeBehindBytes: 8192, _ => { }, cancelled.Token));
    }

    [Fact]
    public async Task Copy_ManyChunksWithWriteBehind_WritesEveryByteInPlaceWhicheverThreadWritesEachChunk()
    {
        // 3 MiB in 4 KiB chunks: some writes run on a pool thread, some are taken back by the caller, and the disk is
        // asked to write back every 64 KiB; none of that may reorder or drop a byte.
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var path = Path.Combine(_root.Path, "target");
        var pool = new CountingPool();

        (long Size, string Sha256) result;
        using (var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write))
        {
            result = await HashingFileCopy.CopyAsync(
                new TrickleStream(content), file, offset: 4096, bufferBytes: 4096, writeBehindBytes: 64 * 1024, _ => { }, pool, CancellationToken.None);
        }

        Assert.Equal(content.Length, result.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), result.Sha256);
        Assert.Equal(content, (await File.ReadAllBytesAsync(path)).AsSpan(4096).ToArray());
        Assert.Equal(0, pool.Outstanding);
        Assert.Equal(2, pool.Rented);
    }

    [Fact]
    public async Task Copy_CancelledMidway_ThrowsOperationCanceledAndReturnsBothBuffers()
    {
        var path = Path.Combine(_root.Path, "target");
        var pool = new CountingPool();
        using var cancellation = new CancellationTokenSource();
        var source = new CancellingStream(RandomNumberGenerator.GetBytes(64 * 4096), cancelAfterBytes: 10 * 4096, cancellation);

        using (var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => HashingFileCopy.CopyAsync(
                source, file, offset: 0, bufferBytes: 4096, writeBehindBytes: 8192, _ => { }, pool, cancellation.Token));
        }

        Assert.InRange(new FileInfo(path).Length, 1, 11 * 4096);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task Copy_SourceFailsMidway_ReturnsBothBuffersAfterTheWriteInFlight()
    {
        var pool = new CountingPool();
        var source = new FailingStream(RandomNumberGenerator.GetBytes(40 * 4096), failAfterBytes: 30 * 4096);

        using (var file = File.OpenHandle(Path.Combine(_root.Path, "target"), FileMode.CreateNew, FileAccess.Write))
        {
            await Assert.ThrowsAsync<IOException>(() => HashingFileCopy.CopyAsync(
                source, file, offset: 0, bufferBytes: 4096, writeBehindBytes: 8192, _ => { }, pool, CancellationToken.None));
        }

        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task Copy_SizeLimitCrossedMidStream_StopsBeforeTheChunkAndReturnsBothBuffers()
    {
        var content = RandomNumberGenerator.GetBytes(40 * 4096);
        var path = Path.Combine(_root.Path, "target");
        var pool = new CountingPool();
        long allowed = 0;

        using (var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => HashingFileCopy.CopyAsync(
                new MemoryStream(content), file, offset: 0, bufferBytes: 4096, writeBehindBytes: 8192,
                bytes => { allowed += bytes; if (allowed > 20 * 4096) { throw new InvalidOperationException("too large"); } },
                pool,
                CancellationToken.None));
        }

        Assert.Equal(content.AsSpan(0, 20 * 4096).ToArray(), await File.ReadAllBytesAsync(path));
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void WriteBehind_OnLinux_TheKernelAcceptsTheRange()
    {
        var path = Path.Combine(_root.Path, "target");
        using var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        RandomAccess.Write(file, new byte[64 * 1024], 0);

        // Elsewhere the hint does not exist and the store relies on its fsync alone.
        Assert.Equal(OperatingSystem.IsLinux(), WriteBehind.Start(file, 0, 64 * 1024));
        Assert.False(WriteBehind.Start(file, 0, 0));
    }

    /// <summary>Hands out fresh arrays and counts the ones not given back.</summary>
    private sealed class CountingPool : ArrayPool<byte>
    {
        private readonly HashSet<byte[]> _out = new(ReferenceEqualityComparer.Instance);

        public int Rented { get; private set; }

        public int Outstanding
        {
            get
            {
                lock (_out)
                {
                    return _out.Count;
                }
            }
        }

        public override byte[] Rent(int minimumLength)
        {
            var array = new byte[minimumLength];
            lock (_out)
            {
                _out.Add(array);
                Rented++;
            }

            return array;
        }

        public override void Return(byte[] array, bool clearArray = false)
        {
            lock (_out)
            {
                Assert.True(_out.Remove(array), "a buffer was returned twice or was not rented here");
            }
        }
    }

    /// <summary>Serves its bytes a few at a time, some reads completing at once and some later.</summary>
    private sealed class TrickleStream(byte[] content) : MemoryStream(content, writable: false)
    {
        private int _reads;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (++_reads % 3 == 0)
            {
                await Task.Yield();
            }

            return await base.ReadAsync(buffer[..Math.Min(buffer.Length, 1500)], cancellationToken);
        }
    }

    /// <summary>Serves its bytes and cancels the copy's token once it has served <c>cancelAfterBytes</c>.</summary>
    private sealed class CancellingStream(byte[] content, int cancelAfterBytes, CancellationTokenSource cancellation) : MemoryStream(content, writable: false)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= cancelAfterBytes)
            {
                await cancellation.CancelAsync();
            }

            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            return await base.ReadAsync(buffer, cancellationToken);
        }
    }

    /// <summary>Serves its bytes, then fails the way a broken upload does.</summary>
    private sealed class FailingStream(byte[] content, int failAfterBytes) : MemoryStream(content, writable: false)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= failAfterBytes)
            {
                throw new IOException("The client went away.");
            }

            await Task.Yield();
            return await base.ReadAsync(buffer[..(int)Math.Min(buffer.Length, failAfterBytes - Position)], cancellationToken);
        }
    }

    /// <summary>A source whose reads honour cancellation.</summary>
    private sealed class SlowStream : MemoryStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            return 0;
        }
    }
}

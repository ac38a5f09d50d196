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
            result = await HashingFileCopy.CopyAsync(new MemoryStream(content), file, offset: 100, bufferBytes: 4096, chunks.Add, CancellationToken.None);
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
                new MemoryStream(content), file, offset: 0, bufferBytes: 4096,
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
                HashingFileCopy.CopyAsync(source, file, offset: 0, bufferBytes: 4096, _ => { }, CancellationToken.None));
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
            new MemoryStream(new byte[10_000]), readOnly, offset: 0, bufferBytes: 4096, _ => { }, CancellationToken.None));

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
            HashingFileCopy.CopyAsync(new SlowStream(), file, offset: 0, bufferBytes: 4096, _ => { }, cancelled.Token));
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

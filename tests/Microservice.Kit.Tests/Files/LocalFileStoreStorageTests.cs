using Microservice.Kit.Files;
using Microservice.Kit.Problems;
using Microservice.Kit.Tests.Infrastructure;

namespace Microservice.Kit.Tests.Files;

/// <summary><see cref="LocalFileStore"/> on a limited disk (quota, free-space reserve, a really full disk) and its file modes.</summary>
public sealed class LocalFileStoreStorageTests : IDisposable
{
    private const int HeaderBytes = 4096;
    private const int Mebibyte = 1024 * 1024;

    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Write_OverQuota_Throws507AndKeepsNothing()
    {
        var store = new LocalFileStore(_root.Path, maxTotalBytes: 2 * (HeaderBytes + 10_000));
        await store.WriteAsync("a", new MemoryStream(new byte[10_000]));
        await store.WriteAsync("b", new MemoryStream(new byte[10_000]));

        var error = await Assert.ThrowsAsync<InsufficientStorageException>(() => store.WriteAsync("c", new MemoryStream([1])));

        Assert.Equal(507, error.StatusCode);
        Assert.Equal(ProblemCodes.InsufficientStorage, error.Code);
        Assert.Equal(["a", "b"], _root.Entries());
    }

    [Fact]
    public async Task Write_OverQuotaWhileStreaming_StopsAndLeavesNoTemporaryFile()
    {
        var store = new LocalFileStore(_root.Path, maxTotalBytes: Mebibyte);
        var content = new CountingStream(8 * Mebibyte);

        await Assert.ThrowsAsync<InsufficientStorageException>(() => store.WriteAsync("big", content));

        Assert.Empty(_root.Entries());
        Assert.True(content.Consumed < 2 * Mebibyte, $"the store read {content.Consumed} bytes of a write that could not fit");
    }

    [Fact]
    public async Task Quota_DeleteAndOverwrite_GiveTheirSpaceBack()
    {
        const int File = HeaderBytes + 10_000;
        var store = new LocalFileStore(_root.Path, maxTotalBytes: 3 * File);
        await store.WriteAsync("a", new MemoryStream(new byte[10_000]));
        await store.WriteAsync("b", new MemoryStream(new byte[10_000]));

        // The replaced file stops counting once the new one is in place.
        await store.WriteAsync("b", new MemoryStream(new byte[10_000]), new FileWriteOptions { Overwrite = true });
        await store.WriteAsync("c", new MemoryStream(new byte[10_000]));
        await Assert.ThrowsAsync<InsufficientStorageException>(() => store.WriteAsync("d", new MemoryStream(new byte[10_000])));
        Assert.True(await store.DeleteAsync("a"));
        await store.WriteAsync("d", new MemoryStream(new byte[10_000]));

        Assert.Equal(["b", "c", "d"], _root.Entries());
    }

    [Fact]
    public async Task Quota_DeleteIfMatch_GivesItsSpaceBack()
    {
        const int File = HeaderBytes + 10_000;
        var store = new LocalFileStore(_root.Path, maxTotalBytes: 2 * File);
        var a = await store.WriteAsync("a", new MemoryStream(new byte[10_000]));
        await store.WriteAsync("b", new MemoryStream(new byte[10_000]));
        await Assert.ThrowsAsync<InsufficientStorageException>(() => store.WriteAsync("c", new MemoryStream(new byte[10_000])));

        Assert.True(await store.DeleteIfMatchAsync("a", a.ETag));
        await store.WriteAsync("c", new MemoryStream(new byte[10_000]));

        Assert.Equal(["b", "c"], _root.Entries());
    }

    [Fact]
    public async Task Quota_CountsTheFilesAlreadyInTheRoot()
    {
        var unlimited = new LocalFileStore(_root.Path);
        await unlimited.WriteAsync("a", new MemoryStream(new byte[10_000]));
        await unlimited.WriteAsync("b", new MemoryStream(new byte[10_000]));

        var store = new LocalFileStore(_root.Path, maxTotalBytes: 2 * (HeaderBytes + 10_000) + 100);

        await Assert.ThrowsAsync<InsufficientStorageException>(() => store.WriteAsync("c", new MemoryStream([1])));
    }

    [TmpfsFact]
    public async Task Write_IntoTheFreeSpaceReserve_Throws507AndKeepsNothing()
    {
        using var disk = Tmpfs.Mount(16);

        // The default reserve (256 MiB) is more than this disk: it shrinks to a tenth of it, 1.6 MiB, so that a small
        // volume stays usable while a 15 MiB file, which would leave less than that, is refused as it streams.
        var store = new LocalFileStore(disk.Path);
        var error = await Assert.ThrowsAsync<InsufficientStorageException>(() => store.WriteAsync("big", new CountingStream(15 * Mebibyte)));
        await store.WriteAsync("small", new MemoryStream(new byte[Mebibyte]));

        Assert.Equal(507, error.StatusCode);
        Assert.Equal(["small"], Directory.EnumerateFileSystemEntries(disk.Path).Select(Path.GetFileName));
    }

    [TmpfsFact]
    public async Task Write_WhenTheReserveIsAlreadyReached_Throws507BeforeWriting()
    {
        using var disk = Tmpfs.Mount(16);
        var store = new LocalFileStore(disk.Path); // a reserve of 1.6 MiB on this disk
        await File.WriteAllBytesAsync(Path.Combine(disk.Path, "filler"), new byte[15 * Mebibyte]);

        var content = new CountingStream(1);
        await Assert.ThrowsAsync<InsufficientStorageException>(() => store.WriteAsync("one-byte", content));

        Assert.Equal(0, content.Consumed);
        Assert.Equal(["filler"], Directory.EnumerateFileSystemEntries(disk.Path).Select(Path.GetFileName));
    }

    [TmpfsFact]
    public async Task Write_DiskFull_Throws507AndRemovesTheTemporaryFile()
    {
        using var disk = Tmpfs.Mount(16);
        var store = new LocalFileStore(disk.Path, minFreeBytes: 0);
        var freeBefore = disk.AvailableBytes;

        var error = await Assert.ThrowsAsync<InsufficientStorageException>(() => store.WriteAsync("too-big", new CountingStream(32 * Mebibyte)));

        Assert.Equal(ProblemCodes.InsufficientStorage, error.Code);
        Assert.IsAssignableFrom<IOException>(error.InnerException);
        Assert.Empty(Directory.EnumerateFileSystemEntries(disk.Path));
        Assert.Equal(freeBefore, disk.AvailableBytes);
        await store.WriteAsync("fits", new MemoryStream(new byte[Mebibyte]));
    }

    [Fact]
    public async Task Modes_RootIs0700_StoredAndTemporaryFilesAre0600()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix modes: the directory's ACL is inherited, which the kit leaves alone
        }

        var root = Path.Combine(_root.Path, "created", "by-the-store");
        var store = new LocalFileStore(root);
        UnixFileMode? temporary = null;
        var content = new CountingStream(2 * Mebibyte, afterBytes: Mebibyte, () => temporary ??= OperatingSystem.IsWindows()
            ? null
            : File.GetUnixFileMode(Directory.EnumerateFiles(root, ".tmp-*").Single()));

        await store.WriteAsync("secret", content);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(root));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(root)!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, temporary);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(root, "secret")));
    }

    /// <summary>Zeros of a given length, counting what was read, with an optional look at the disk partway.</summary>
    private sealed class CountingStream(long length, long afterBytes = long.MaxValue, Action? partway = null) : Stream
    {
        public long Consumed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Consumed; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (Consumed >= afterBytes)
            {
                partway?.Invoke();
            }

            var count = (int)Math.Min(Math.Min(buffer.Length, 64 * 1024), length - Consumed);
            buffer[..count].Clear();
            Consumed += count;
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
    }
}

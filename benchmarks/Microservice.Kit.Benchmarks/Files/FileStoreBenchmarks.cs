using BenchmarkDotNet.Attributes;
using Microservice.Kit.Files;

namespace Microservice.Kit.Benchmarks.Files;

/// <summary>
/// Writing a file through <see cref="LocalFileStore"/> (temp file, SHA-256 while streaming, header, atomic move)
/// against the plain <see cref="FileStream"/> copy a hand-written service would do.
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet owns the lifetime: [GlobalCleanup] disposes.
public class FileStoreWriteBenchmarks
{
    private string _root = null!;
    private byte[] _content = null!;
    private MemoryStream _source = null!;
    private LocalFileStore _durable = null!;
    private LocalFileStore _noFsync = null!;

    [Params(1 << 20, 64 << 20)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "kit-bench-files-" + Guid.NewGuid().ToString("N"));
        _content = new byte[Size];
        new Random(42).NextBytes(_content);
        _source = new MemoryStream(_content, writable: false);
        _durable = new LocalFileStore(Path.Combine(_root, "durable"));
        _noFsync = new LocalFileStore(Path.Combine(_root, "nofsync"), flushToDisk: false);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(Baseline = true, Description = "FileStream copy")]
    public async Task FileStreamCopy()
    {
        _source.Position = 0;
        await using var file = new FileStream(Path.Combine(_root, "plain.bin"), FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true);
        await _source.CopyToAsync(file);
    }

    [Benchmark(Description = "FileStream copy + fsync")]
    public async Task FileStreamCopyFsync()
    {
        _source.Position = 0;
        await using var file = new FileStream(Path.Combine(_root, "plain-fsync.bin"), FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true);
        await _source.CopyToAsync(file);
        file.Flush(flushToDisk: true);
    }

    [Benchmark(Description = "LocalFileStore.WriteAsync (fsync, default)")]
    public async Task<StoredFileInfo> KitWrite()
    {
        _source.Position = 0;
        return await _durable.WriteAsync("bench", _source, new FileWriteOptions { Overwrite = true, ContentType = "application/octet-stream" });
    }

    [Benchmark(Description = "LocalFileStore.WriteAsync (FlushToDisk=false)")]
    public async Task<StoredFileInfo> KitWriteNoFsync()
    {
        _source.Position = 0;
        return await _noFsync.WriteAsync("bench", _source, new FileWriteOptions { Overwrite = true, ContentType = "application/octet-stream" });
    }
}

/// <summary>Reading a whole stored file through <see cref="LocalFileStore"/> against a plain <see cref="FileStream"/> copy.</summary>
[MemoryDiagnoser]
public class FileStoreReadBenchmarks
{
    private string _root = null!;
    private string _plainPath = null!;
    private LocalFileStore _store = null!;

    [Params(1 << 20, 64 << 20)]
    public int Size { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "kit-bench-files-" + Guid.NewGuid().ToString("N"));
        var content = new byte[Size];
        new Random(42).NextBytes(content);
        _store = new LocalFileStore(Path.Combine(_root, "store"));
        await _store.WriteAsync("bench", new MemoryStream(content));
        _plainPath = Path.Combine(_root, "plain.bin");
        await File.WriteAllBytesAsync(_plainPath, content);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(Baseline = true, Description = "FileStream copy")]
    public async Task FileStreamCopy()
    {
        await using var file = new FileStream(_plainPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
        await file.CopyToAsync(Stream.Null);
    }

    [Benchmark(Description = "LocalFileStore.OpenReadAsync + copy")]
    public async Task KitRead()
    {
        await using var file = await _store.OpenReadAsync("bench");
        await file!.Content.CopyToAsync(Stream.Null);
    }
}

/// <summary>
/// Durable writes only: <see cref="LocalFileStore"/> (SHA-256 of every byte, write-back started while it copies, one
/// fsync, atomic publish) against the durable copy a hand-written service would do (<see cref="FileStream"/> copy,
/// then fsync). In the same run, the pieces that bound it: SHA-256 alone, the one-thread loop (hash a chunk, then
/// write it) with and without write-back started early, and the store's copy (<c>HashingFileCopy</c>) with and
/// without it and with 1 MiB chunks, each into a new file and fsynced, without the header and the publish.
/// </summary>
[MemoryDiagnoser]
public class FileStoreDurableWriteBenchmarks
{
    private const int Chunk = 256 * 1024;
    private const long WriteBehind = 4 * 1024 * 1024;
    private string _root = null!;
    private byte[] _content = null!;
    private MemoryStream _source = null!;
    private LocalFileStore _store = null!;

    [Params(1 << 20, 64 << 20)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "kit-bench-files-" + Guid.NewGuid().ToString("N"));
        _content = new byte[Size];
        new Random(42).NextBytes(_content);
        _source = new MemoryStream(_content, writable: false);
        _store = new LocalFileStore(Path.Combine(_root, "store"));
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(Baseline = true, Description = "FileStream copy + fsync")]
    public async Task FileStreamCopyFsync()
    {
        _source.Position = 0;
        await using var file = new FileStream(Path.Combine(_root, "plain-fsync.bin"), FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true);
        await _source.CopyToAsync(file);
        file.Flush(flushToDisk: true);
    }

    [Benchmark(Description = "SHA-256 alone (256 KiB chunks)")]
    public byte[] Sha256Alone()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        for (var offset = 0; offset < _content.Length; offset += Chunk)
        {
            hash.AppendData(_content, offset, Math.Min(Chunk, _content.Length - offset));
        }

        return hash.GetHashAndReset();
    }

    [Benchmark(Description = "hash then write, one thread, fsync")]
    public Task<byte[]> HashThenWriteFsync() => HashThenWrite(writeBehind: false);

    [Benchmark(Description = "hash then write, one thread, write-back every 4 MiB, fsync")]
    public Task<byte[]> HashThenWriteWriteBehindFsync() => HashThenWrite(writeBehind: true);

    [Benchmark(Description = "store's copy, no write-back, fsync")]
    public Task<(long, string)> StoreCopyFsync() => StoreCopy(Chunk, writeBehindBytes: 0);

    [Benchmark(Description = "store's copy, write-back every 4 MiB, fsync")]
    public Task<(long, string)> StoreCopyWriteBehindFsync() => StoreCopy(Chunk, WriteBehind);

    [Benchmark(Description = "store's copy, 1 MiB chunks, write-back, fsync")]
    public Task<(long, string)> StoreCopyLargeChunksFsync() => StoreCopy(1024 * 1024, WriteBehind);

    [Benchmark(Description = "LocalFileStore.WriteAsync (fsync, default)")]
    public async Task<StoredFileInfo> KitWrite()
    {
        _source.Position = 0;
        return await _store.WriteAsync("bench", _source, new FileWriteOptions { Overwrite = true, ContentType = "application/octet-stream" });
    }

    private async Task<byte[]> HashThenWrite(bool writeBehind)
    {
        _source.Position = 0;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            await using var file = new FileStream(Path.Combine(_root, "sequential.bin"), FileMode.Create, FileAccess.Write, FileShare.None, 0);
            long offset = 0;
            long writtenBack = 0;
            int read;
            while ((read = await _source.ReadAtLeastAsync(buffer.AsMemory(0, Chunk), Chunk, throwOnEndOfStream: false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                RandomAccess.Write(file.SafeFileHandle, buffer.AsSpan(0, read), offset);
                offset += read;
                if (writeBehind && offset - writtenBack >= WriteBehind)
                {
                    Microservice.Kit.Files.Internal.WriteBehind.Start(file.SafeFileHandle, writtenBack, offset - writtenBack);
                    writtenBack = offset;
                }
            }

            file.Flush(flushToDisk: true);
            return hash.GetHashAndReset();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<(long, string)> StoreCopy(int chunk, long writeBehindBytes)
    {
        _source.Position = 0;
        var path = Path.Combine(_root, "copy-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
            var result = await Microservice.Kit.Files.Internal.HashingFileCopy.CopyAsync(
                _source, file.SafeFileHandle, 4096, chunk, writeBehindBytes, _ => { }, CancellationToken.None);
            file.Flush(flushToDisk: true);
            return result;
        }
        finally
        {
            File.Delete(path);
        }
    }
}

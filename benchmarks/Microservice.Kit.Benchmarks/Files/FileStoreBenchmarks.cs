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

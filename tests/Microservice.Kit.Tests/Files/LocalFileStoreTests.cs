using Microservice.Kit.Files;
using Microservice.Kit.Problems;
using Microsoft.Extensions.Time.Testing;

namespace Microservice.Kit.Tests.Files;

/// <summary>What only the local disk does; the contract every store keeps is in Contract/FileStoreContractTests.</summary>
public sealed class LocalFileStoreTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 5, 0, 0, TimeSpan.Zero));

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Overwrite_WhileAReaderIsOpen_TheReaderKeepsTheOldContent()
    {
        var store = NewStore();
        var original = TestFiles.Binary(50_000);
        await store.WriteAsync("doc", new MemoryStream(original));
        await using var reader = await store.OpenReadAsync("doc");

        await store.WriteAsync("doc", new MemoryStream(TestFiles.Pdf()), new FileWriteOptions { Overwrite = true });

        Assert.Equal(original, await ReadAll(reader!.Content));
    }

    [Fact]
    public async Task Start_RemovesUnfinishedWritesOfAnEarlierRun()
    {
        var first = NewStore();
        await first.WriteAsync("kept", new MemoryStream([1, 2, 3]));
        await File.WriteAllBytesAsync(Path.Combine(_root.Path, ".tmp-" + Guid.NewGuid().ToString("N")), new byte[5000]);
        await File.WriteAllBytesAsync(Path.Combine(_root.Path, ".tmp-" + Guid.NewGuid().ToString("N")), []);

        var second = NewStore();

        Assert.Equal(["kept"], _root.Entries());
        Assert.True(await second.ExistsAsync("kept"));
    }

    [Fact]
    public async Task Read_FileWithoutAValidHeader_IsTreatedAsAbsent()
    {
        var store = NewStore();
        await File.WriteAllBytesAsync(Path.Combine(_root.Path, "planted"), TestFiles.Binary(10_000));

        Assert.Null(await store.OpenReadAsync("planted"));
        Assert.Null(await store.GetInfoAsync("planted"));
    }

    private LocalFileStore NewStore() => new(_root.Path, flushToDisk: true, _time);

    private static async Task<byte[]> ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}

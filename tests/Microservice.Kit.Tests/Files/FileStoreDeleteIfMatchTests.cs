using Microservice.Kit.Files;
using Microservice.Kit.Problems;

namespace Microservice.Kit.Tests.Files;

/// <summary><see cref="IFileStore.DeleteIfMatchAsync"/> on each of the kit's stores.</summary>
public sealed class FileStoreDeleteIfMatchTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public static TheoryData<string> Backends => ["local", "memory"];

    public void Dispose() => _root.Dispose();

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task DeleteIfMatch_CurrentETag_DeletesIt(string backend)
    {
        var store = NewStore(backend);
        var written = await store.WriteAsync("doc", new MemoryStream([1, 2, 3]));

        Assert.True(await store.DeleteIfMatchAsync("doc", written.ETag));

        Assert.False(await store.ExistsAsync("doc"));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task DeleteIfMatch_ETagOfAnOverwrittenVersion_Throws412AndKeepsTheNewOne(string backend)
    {
        var store = NewStore(backend);
        var first = await store.WriteAsync("doc", new MemoryStream([1, 2, 3]));
        var second = await store.WriteAsync("doc", new MemoryStream([4, 5, 6]), new FileWriteOptions { Overwrite = true });

        var error = await Assert.ThrowsAsync<PreconditionFailedException>(() => store.DeleteIfMatchAsync("doc", first.ETag));

        Assert.Equal(ProblemCodes.PreconditionFailed, error.Code);
        Assert.Equal(second.ETag, (await store.GetInfoAsync("doc"))?.ETag);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task DeleteIfMatch_Missing_ReturnsFalse(string backend)
    {
        var store = NewStore(backend);

        Assert.False(await store.DeleteIfMatchAsync("never", "\"0\""));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task DeleteIfMatch_RacingOverwrites_NeverDeletesAVersionItDidNotName(string backend)
    {
        var store = NewStore(backend);
        var first = await store.WriteAsync("raced", new MemoryStream([0]));

        // Overwrites race the delete: it either deletes the first version (and nothing newer ever disappears
        // because of it) or fails with 412 once a newer one is in place.
        var writes = Enumerable.Range(1, 20).Select(i => Task.Run(() =>
            store.WriteAsync("raced", new MemoryStream([(byte)i]), new FileWriteOptions { Overwrite = true }))).ToList();
        bool? deleted;
        try
        {
            deleted = await store.DeleteIfMatchAsync("raced", first.ETag);
        }
        catch (PreconditionFailedException)
        {
            deleted = null;
        }

        var written = await Task.WhenAll(writes);
        var last = await store.GetInfoAsync("raced");
        if (deleted is null)
        {
            Assert.NotNull(last);
        }

        Assert.True(last is null || written.Any(w => w.ETag == last.ETag), "the stored version is one of the overwrites");
    }

    private IFileStore NewStore(string backend) => backend == "local" ? new LocalFileStore(_root.Path) : new InMemoryFileStore();
}

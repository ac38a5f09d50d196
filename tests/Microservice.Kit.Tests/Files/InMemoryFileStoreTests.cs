using Microservice.Kit.Files;
using Microservice.Kit.Problems;

namespace Microservice.Kit.Tests.Files;

public sealed class InMemoryFileStoreTests
{
    [Fact]
    public async Task Write_ThenRead_RoundTrips()
    {
        var store = new InMemoryFileStore();
        var bytes = TestFiles.Mp4(10_000);

        var info = await store.WriteAsync("video", new MemoryStream(bytes), new FileWriteOptions { ContentType = "video/mp4", FileName = "clip.mp4" });
        await using var file = await store.OpenReadAsync("video");

        Assert.Equal(TestFiles.Sha256(bytes), info.Sha256);
        Assert.Equal("clip.mp4", file!.Info.FileName);
        using var copy = new MemoryStream();
        await file.Content.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task Write_ExistingWithoutOverwrite_Throws409_WithOverwrite_Replaces()
    {
        var store = new InMemoryFileStore();
        await store.WriteAsync("doc", new MemoryStream([1]));

        var error = await Assert.ThrowsAsync<ConflictException>(() => store.WriteAsync("doc", new MemoryStream([2])));
        var replaced = await store.WriteAsync("doc", new MemoryStream([3]), new FileWriteOptions { Overwrite = true });

        Assert.Equal(FileProblemCodes.FileExists, error.Code);
        Assert.Equal(1, replaced.Size);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task Write_ConcurrentSameId_ExactlyOneWins()
    {
        var store = new InMemoryFileStore();

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.WriteAsync("race", new MemoryStream(TestFiles.Binary(1000 + i)));
                return true;
            }
            catch (ConflictException)
            {
                return false;
            }
        })));

        Assert.Single(results, won => won);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("CON")]
    [InlineData("")]
    public async Task InvalidId_Throws400(string fileId)
    {
        var store = new InMemoryFileStore();

        var error = await Assert.ThrowsAsync<BadRequestException>(() => store.WriteAsync(fileId, new MemoryStream([1])));

        Assert.Equal(FileProblemCodes.InvalidFileId, error.Code);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task DeleteAndList_Behave()
    {
        var store = new InMemoryFileStore();
        await store.WriteAsync("a-1", new MemoryStream([1]));
        await store.WriteAsync("a-2", new MemoryStream([1]));
        await store.WriteAsync("b-1", new MemoryStream([1]));

        var page = await store.ListAsync("a-", pageSize: 1);
        var next = await store.ListAsync("a-", pageSize: 1, page.ContinuationToken);

        Assert.Equal(["a-1"], page.Items.Select(i => i.FileId));
        Assert.Equal(["a-2"], next.Items.Select(i => i.FileId));
        Assert.Null(next.ContinuationToken);
        Assert.True(await store.DeleteAsync("a-1"));
        Assert.False(await store.DeleteAsync("a-1"));
    }
}

using Microservice.Kit.Files;
using Microservice.Kit.Problems;
using Microsoft.Extensions.Time.Testing;

namespace Microservice.Kit.Tests.Files;

public sealed class LocalFileStoreTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 5, 0, 0, TimeSpan.Zero));

    public void Dispose() => _root.Dispose();

    [Theory]
    [MemberData(nameof(FileIdsTests.InvalidIds), MemberType = typeof(FileIdsTests))]
    public async Task EveryOperation_InvalidId_Throws400AndTouchesNothing(string fileId)
    {
        var store = NewStore();

        await AssertInvalid(() => store.WriteAsync(fileId, new MemoryStream([1, 2, 3]), new FileWriteOptions { Overwrite = true }));
        await AssertInvalid(() => store.OpenReadAsync(fileId));
        await AssertInvalid(() => store.GetInfoAsync(fileId));
        await AssertInvalid(() => store.ExistsAsync(fileId));
        await AssertInvalid(() => store.DeleteAsync(fileId));
        Assert.Empty(_root.Entries());

        static async Task AssertInvalid(Func<Task> action)
        {
            var error = await Assert.ThrowsAsync<BadRequestException>(action);
            Assert.Equal(FileProblemCodes.InvalidFileId, error.Code);
        }
    }

    [Fact]
    public async Task Write_ThenRead_RoundTripsContentAndMetadata()
    {
        var store = NewStore();
        var bytes = TestFiles.Pdf(100_000);

        var written = await store.WriteAsync("report.pdf", new MemoryStream(bytes), new FileWriteOptions { ContentType = "application/pdf", FileName = "Report 2026.pdf" });
        await using var file = await store.OpenReadAsync("report.pdf");

        Assert.NotNull(file);
        Assert.Equal(bytes.Length, written.Size);
        Assert.Equal(TestFiles.Sha256(bytes), written.Sha256);
        Assert.Equal(written, file.Info);
        Assert.Equal("application/pdf", file.Info.ContentType);
        Assert.Equal("Report 2026.pdf", file.Info.FileName);
        Assert.Equal(_time.GetUtcNow(), file.Info.CreatedAt);
        Assert.Equal("\"" + written.Sha256 + "\"", file.Info.ETag);
        Assert.Equal(bytes.Length, file.Content.Length);
        using var copy = new MemoryStream();
        await file.Content.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task Write_Empty_IsStored()
    {
        var store = NewStore();

        var info = await store.WriteAsync("empty", new MemoryStream());

        Assert.Equal(0, info.Size);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", info.Sha256);
        await using var file = await store.OpenReadAsync("empty");
        Assert.Equal(0, file!.Content.Length);
    }

    [Fact]
    public async Task Read_ContentIsSeekable()
    {
        var store = NewStore();
        var bytes = TestFiles.Binary(10_000);
        await store.WriteAsync("seek", new MemoryStream(bytes));

        await using var file = await store.OpenReadAsync("seek");
        file!.Content.Seek(9_000, SeekOrigin.Begin);
        var tail = new byte[2_000];
        var read = await file.Content.ReadAtLeastAsync(tail, tail.Length, throwOnEndOfStream: false);

        Assert.Equal(1_000, read);
        Assert.Equal(bytes[9_000..], tail[..read]);
    }

    [Fact]
    public async Task Write_ExistingIdWithoutOverwrite_Throws409AndKeepsTheOriginal()
    {
        var store = NewStore();
        var original = TestFiles.Png();
        await store.WriteAsync("picture", new MemoryStream(original));

        var error = await Assert.ThrowsAsync<ConflictException>(() => store.WriteAsync("picture", new MemoryStream(TestFiles.Jpeg())));

        Assert.Equal(FileProblemCodes.FileExists, error.Code);
        Assert.Equal(409, error.StatusCode);
        Assert.Equal(TestFiles.Sha256(original), (await store.GetInfoAsync("picture"))!.Sha256);
        Assert.Equal(["picture"], _root.Entries());
    }

    [Fact]
    public async Task Write_ExistingIdWithOverwrite_ReplacesIt()
    {
        var store = NewStore();
        await store.WriteAsync("picture", new MemoryStream(TestFiles.Png()), new FileWriteOptions { ContentType = "image/png" });
        var replacement = TestFiles.Jpeg(5000);

        var info = await store.WriteAsync("picture", new MemoryStream(replacement), new FileWriteOptions { ContentType = "image/jpeg", Overwrite = true });

        Assert.Equal(TestFiles.Sha256(replacement), info.Sha256);
        await using var file = await store.OpenReadAsync("picture");
        Assert.Equal("image/jpeg", file!.Info.ContentType);
        Assert.Equal(replacement, await ReadAll(file.Content));
        Assert.Equal(["picture"], _root.Entries());
    }

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

    [Theory]
    [InlineData("race-1")]
    [InlineData("race-2")]
    [InlineData("race-3")]
    [InlineData("race-4")]
    [InlineData("race-5")]
    public async Task Write_ConcurrentSameIdWithoutOverwrite_ExactlyOneWins(string fileId)
    {
        // Five rounds of 32 writers: a check-then-rename publish let several of them "win" under load.
        var store = NewStore();
        const int writers = 32;
        var contents = Enumerable.Range(0, writers).Select(i => TestFiles.Binary(20_000 + i)).ToArray();
        using var start = new ManualResetEventSlim();

        var attempts = contents.Select(bytes => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                return (Info: (StoredFileInfo?)await store.WriteAsync(fileId, new MemoryStream(bytes)), Error: (Exception?)null);
            }
            catch (ConflictException error)
            {
                return (Info: (StoredFileInfo?)null, Error: (Exception?)error);
            }
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r.Info is not null);
        Assert.Equal(writers - 1, results.Count(r => r.Error is ConflictException { Code: FileProblemCodes.FileExists }));
        await using var file = await store.OpenReadAsync(fileId);
        Assert.Equal(winner.Info!.Sha256, TestFiles.Sha256(await ReadAll(file!.Content)));
        Assert.Equal([fileId], _root.Entries());
    }

    [Fact]
    public async Task Write_CancelledMidway_LeavesNothingBehind()
    {
        var store = NewStore();
        using var cancellation = new CancellationTokenSource();
        var source = new SlowStream(TestFiles.Binary(2_000_000), afterBytes: 600_000, cancellation.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WriteAsync("cancelled", source, cancellationToken: cancellation.Token));

        Assert.Empty(_root.Entries());
        Assert.False(await store.ExistsAsync("cancelled"));
    }

    [Fact]
    public async Task Write_SourceFailsMidway_LeavesNothingBehind()
    {
        var store = NewStore();
        var source = new SlowStream(TestFiles.Binary(2_000_000), afterBytes: 600_000, () => throw new IOException("connection reset"));

        await Assert.ThrowsAsync<IOException>(() => store.WriteAsync("broken", source));

        Assert.Empty(_root.Entries());
    }

    [Fact]
    public async Task Write_FailedReplace_KeepsThePreviousVersion()
    {
        var store = NewStore();
        var original = TestFiles.Png();
        await store.WriteAsync("keep", new MemoryStream(original));
        var source = new SlowStream(TestFiles.Binary(1_000_000), afterBytes: 300_000, () => throw new IOException("connection reset"));

        await Assert.ThrowsAsync<IOException>(() => store.WriteAsync("keep", source, new FileWriteOptions { Overwrite = true }));

        await using var file = await store.OpenReadAsync("keep");
        Assert.Equal(original, await ReadAll(file!.Content));
        Assert.Equal(["keep"], _root.Entries());
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

    [Fact]
    public async Task Read_Missing_ReturnsNull()
    {
        var store = NewStore();

        Assert.Null(await store.OpenReadAsync("missing"));
        Assert.Null(await store.GetInfoAsync("missing"));
        Assert.False(await store.ExistsAsync("missing"));
    }

    [Fact]
    public async Task Delete_RemovesTheFile_AndReportsWhetherThereWasOne()
    {
        var store = NewStore();
        await store.WriteAsync("gone", new MemoryStream([1]));

        Assert.True(await store.DeleteAsync("gone"));
        Assert.False(await store.DeleteAsync("gone"));
        Assert.False(await store.ExistsAsync("gone"));
        Assert.Empty(_root.Entries());
    }

    [Fact]
    public async Task Write_SanitisesTheOriginalNameAndContentType()
    {
        var store = NewStore();

        var info = await store.WriteAsync("named", new MemoryStream([1]), new FileWriteOptions
        {
            FileName = "..\\..\\evil\"na\r\nme.pdf",
            ContentType = "text/html\r\nX-Injected: 1",
        });

        Assert.Equal("evilname.pdf", info.FileName);
        Assert.Equal("application/octet-stream", info.ContentType);
    }

    [Fact]
    public async Task List_PagesByPrefixInOrdinalOrder()
    {
        var store = NewStore();
        foreach (var id in new[] { "b-2", "a-1", "b-1", "b-3", "c-1" })
        {
            await store.WriteAsync(id, new MemoryStream([1]));
        }

        var first = await store.ListAsync("b-", pageSize: 2);
        var second = await store.ListAsync("b-", pageSize: 2, first.ContinuationToken);
        var all = await store.ListAsync();

        Assert.Equal(["b-1", "b-2"], first.Items.Select(i => i.FileId));
        Assert.NotNull(first.ContinuationToken);
        Assert.Equal(["b-3"], second.Items.Select(i => i.FileId));
        Assert.Null(second.ContinuationToken);
        Assert.Equal(["a-1", "b-1", "b-2", "b-3", "c-1"], all.Items.Select(i => i.FileId));
    }

    [Theory]
    [InlineData("../", 10)]
    [InlineData("a", 0)]
    [InlineData("a", 1001)]
    public async Task List_InvalidArguments_Throw400(string prefix, int pageSize)
    {
        var store = NewStore();

        await Assert.ThrowsAsync<BadRequestException>(() => store.ListAsync(prefix, pageSize));
    }

    private LocalFileStore NewStore() => new(_root.Path, flushToDisk: true, _time);

    private static async Task<byte[]> ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Serves its bytes in small chunks and runs <c>fault</c> once <c>afterBytes</c> have been read.</summary>
    private sealed class SlowStream(byte[] bytes, int afterBytes, Action fault) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= afterBytes)
            {
                fault();
            }

            var count = Math.Min(Math.Min(buffer.Length, 64 * 1024), bytes.Length - _position);
            bytes.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(buffer.Span));
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
}

using Microservice.Kit.Files;
using Microservice.Kit.Files.Internal;
using Microservice.Kit.Problems;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Microservice.Kit.Tests.Files.Contract;

/// <summary>
/// The <see cref="IFileStore"/> contract, written once: every provider runs all of it through a fixture that makes its
/// store and lists everything the store physically holds (files, temporary files, staging objects, multipart uploads).
/// The store is wrapped the way <c>AddFileStore</c> serves it, so the suite proves what a caller gets.
/// </summary>
public abstract class FileStoreContractTests
{
    /// <summary>The clock the store stamps <see cref="StoredFileInfo.CreatedAt"/> with.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 5, 0, 0, TimeSpan.Zero));

    /// <summary>The provider under test, for the wrapper's metrics.</summary>
    protected abstract FileStoreProvider Provider { get; }

    /// <summary>Makes an empty store of the provider (a fresh directory, bucket prefix, ...).</summary>
    protected abstract Task<IFileStore> CreateProviderStoreAsync();

    /// <summary>Everything the store holds: stored ids, and anything an unfinished write left (temporary files, uploads).</summary>
    protected abstract Task<IReadOnlyList<string>> HeldAsync();

    [Theory]
    [MemberData(nameof(FileIdsTests.InvalidIds), MemberType = typeof(FileIdsTests))]
    public async Task EveryOperation_InvalidId_Throws400AndTouchesNothing(string fileId)
    {
        var store = await NewStoreAsync();

        await AssertInvalid(() => store.WriteAsync(fileId, new MemoryStream([1, 2, 3]), new FileWriteOptions { Overwrite = true }));
        await AssertInvalid(() => store.OpenReadAsync(fileId));
        await AssertInvalid(() => store.GetInfoAsync(fileId));
        await AssertInvalid(() => store.ExistsAsync(fileId));
        await AssertInvalid(() => store.DeleteAsync(fileId));
        await AssertInvalid(() => store.DeleteIfMatchAsync(fileId, "\"x\""));
        Assert.Empty(await HeldAsync());

        static async Task AssertInvalid(Func<Task> action)
        {
            var error = await Assert.ThrowsAsync<BadRequestException>(action);
            Assert.Equal(FileProblemCodes.InvalidFileId, error.Code);
        }
    }

    [Fact]
    public async Task Write_ThenRead_RoundTripsContentAndMetadata()
    {
        var store = await NewStoreAsync();
        var bytes = TestFiles.Pdf(100_000);

        var written = await store.WriteAsync("report.pdf", new MemoryStream(bytes), new FileWriteOptions { ContentType = "application/pdf", FileName = "Rapport été 2026.pdf" });
        await using var file = await store.OpenReadAsync("report.pdf");

        Assert.NotNull(file);
        Assert.Equal(bytes.Length, written.Size);
        Assert.Equal(TestFiles.Sha256(bytes), written.Sha256);
        Assert.Equal(written, file.Info);
        Assert.Equal(written, await store.GetInfoAsync("report.pdf"));
        Assert.Equal("application/pdf", file.Info.ContentType);
        Assert.Equal("Rapport été 2026.pdf", file.Info.FileName);
        Assert.Equal(Time.GetUtcNow(), file.Info.CreatedAt);
        Assert.Equal("\"" + written.Sha256 + "\"", file.Info.ETag);
        Assert.Equal(bytes.Length, file.Content.Length);
        Assert.Equal(bytes, await ReadAll(file.Content));
    }

    [Fact]
    public async Task Write_LargerThanOnePart_RoundTripsEveryByte()
    {
        // 12 MiB: more than two 5 MiB parts of an object store's multipart upload, and many chunks of a local copy.
        var store = await NewStoreAsync();
        var bytes = TestFiles.Binary(12 * 1024 * 1024 + 3);

        var written = await store.WriteAsync("large", new MemoryStream(bytes));
        await using var file = await store.OpenReadAsync("large");

        Assert.Equal(TestFiles.Sha256(bytes), written.Sha256);
        Assert.Equal(bytes, await ReadAll(file!.Content));
        Assert.Equal(["large"], await HeldAsync());
    }

    [Fact]
    public async Task Write_Empty_IsStored()
    {
        var store = await NewStoreAsync();

        var info = await store.WriteAsync("empty", new MemoryStream());

        Assert.Equal(0, info.Size);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", info.Sha256);
        await using var file = await store.OpenReadAsync("empty");
        Assert.Equal(0, file!.Content.Length);
        Assert.Empty(await ReadAll(file.Content));
    }

    [Fact]
    public async Task Read_ContentIsSeekable()
    {
        var store = await NewStoreAsync();
        var bytes = TestFiles.Binary(10_000);
        await store.WriteAsync("seek", new MemoryStream(bytes));

        await using var file = await store.OpenReadAsync("seek");
        file!.Content.Seek(9_000, SeekOrigin.Begin);
        var tail = new byte[2_000];
        var read = await file.Content.ReadAtLeastAsync(tail, tail.Length, throwOnEndOfStream: false);
        file.Content.Seek(100, SeekOrigin.Begin);
        var middle = new byte[50];
        await file.Content.ReadExactlyAsync(middle);

        Assert.Equal(1_000, read);
        Assert.Equal(bytes[9_000..], tail[..read]);
        Assert.Equal(bytes[100..150], middle);
    }

    [Fact]
    public async Task Write_ExistingIdWithoutOverwrite_Throws409AndKeepsTheOriginal()
    {
        var store = await NewStoreAsync();
        var original = TestFiles.Png();
        await store.WriteAsync("picture", new MemoryStream(original));

        var error = await Assert.ThrowsAsync<ConflictException>(() => store.WriteAsync("picture", new MemoryStream(TestFiles.Jpeg())));

        Assert.Equal(FileProblemCodes.FileExists, error.Code);
        Assert.Equal(409, error.StatusCode);
        Assert.Equal(TestFiles.Sha256(original), (await store.GetInfoAsync("picture"))!.Sha256);
        Assert.Equal(["picture"], await HeldAsync());
    }

    [Fact]
    public async Task Write_ExistingIdWithOverwrite_ReplacesIt()
    {
        var store = await NewStoreAsync();
        await store.WriteAsync("picture", new MemoryStream(TestFiles.Png()), new FileWriteOptions { ContentType = "image/png" });
        var replacement = TestFiles.Jpeg(5000);

        var info = await store.WriteAsync("picture", new MemoryStream(replacement), new FileWriteOptions { ContentType = "image/jpeg", Overwrite = true });

        Assert.Equal(TestFiles.Sha256(replacement), info.Sha256);
        await using var file = await store.OpenReadAsync("picture");
        Assert.Equal("image/jpeg", file!.Info.ContentType);
        Assert.Equal(replacement, await ReadAll(file.Content));
        Assert.Equal(["picture"], await HeldAsync());
    }

    [Theory]
    [InlineData("race-1")]
    [InlineData("race-2")]
    [InlineData("race-3")]
    public async Task Write_ConcurrentSameIdWithoutOverwrite_ExactlyOneWins(string fileId)
    {
        // Rounds of 32 writers: a check-then-publish without arbitration lets several of them "win" under load.
        var store = await NewStoreAsync();
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
        Assert.Equal([fileId], await HeldAsync());
    }

    [Fact]
    public async Task Write_CancelledMidway_LeavesNothingBehind()
    {
        // Cancelled after more than one 5 MiB part: an object store's multipart upload must be aborted.
        var store = await NewStoreAsync();
        using var cancellation = new CancellationTokenSource();
        var source = new FaultingStream(TestFiles.Binary(12_000_000), afterBytes: 7_000_000, cancellation.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WriteAsync("cancelled", source, cancellationToken: cancellation.Token));

        Assert.Empty(await HeldAsync());
        Assert.False(await store.ExistsAsync("cancelled"));
    }

    [Fact]
    public async Task Write_SourceFailsMidway_LeavesNothingBehind()
    {
        var store = await NewStoreAsync();
        var source = new FaultingStream(TestFiles.Binary(12_000_000), afterBytes: 7_000_000, () => throw new IOException("connection reset"));

        await Assert.ThrowsAsync<IOException>(() => store.WriteAsync("broken", source));

        Assert.Empty(await HeldAsync());
    }

    [Fact]
    public async Task Write_TooLargeMidway_Throws413AndLeavesNothingBehind()
    {
        // The size limit is enforced while the content streams (FileUploads wraps the request body this way).
        var store = await NewStoreAsync();
        var source = new FaultingStream(TestFiles.Binary(12_000_000), afterBytes: 6_000_000, () => throw new PayloadTooLargeException("over the limit"));

        await Assert.ThrowsAsync<PayloadTooLargeException>(() => store.WriteAsync("too-large", source));

        Assert.Empty(await HeldAsync());
    }

    [Fact]
    public async Task Write_FailedReplace_KeepsThePreviousVersion()
    {
        var store = await NewStoreAsync();
        var original = TestFiles.Png();
        await store.WriteAsync("keep", new MemoryStream(original));
        var source = new FaultingStream(TestFiles.Binary(1_000_000), afterBytes: 300_000, () => throw new IOException("connection reset"));

        await Assert.ThrowsAsync<IOException>(() => store.WriteAsync("keep", source, new FileWriteOptions { Overwrite = true }));

        await using var file = await store.OpenReadAsync("keep");
        Assert.Equal(original, await ReadAll(file!.Content));
        Assert.Equal(["keep"], await HeldAsync());
    }

    [Fact]
    public async Task Read_Missing_ReturnsNull()
    {
        var store = await NewStoreAsync();

        Assert.Null(await store.OpenReadAsync("missing"));
        Assert.Null(await store.GetInfoAsync("missing"));
        Assert.False(await store.ExistsAsync("missing"));
    }

    [Fact]
    public async Task Delete_RemovesTheFile_AndReportsWhetherThereWasOne()
    {
        var store = await NewStoreAsync();
        await store.WriteAsync("gone", new MemoryStream([1]));

        Assert.True(await store.DeleteAsync("gone"));
        Assert.False(await store.DeleteAsync("gone"));
        Assert.False(await store.ExistsAsync("gone"));
        Assert.Empty(await HeldAsync());
    }

    [Fact]
    public async Task Write_SanitisesTheOriginalNameAndContentType()
    {
        var store = await NewStoreAsync();

        var info = await store.WriteAsync("named", new MemoryStream([1]), new FileWriteOptions
        {
            FileName = "..\\..\\evil\"na\r\nme.pdf",
            ContentType = "text/html\r\nX-Injected: 1",
        });

        Assert.Equal("evilname.pdf", info.FileName);
        Assert.Equal("application/octet-stream", info.ContentType);
        Assert.Equal(info, await store.GetInfoAsync("named"));
    }

    [Fact]
    public async Task List_PagesByPrefixInOrdinalOrder()
    {
        var store = await NewStoreAsync();
        foreach (var id in new[] { "b-2", "a-1", "b-1", "b-3", "c-1", "B-0" })
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
        Assert.Equal(["B-0", "a-1", "b-1", "b-2", "b-3", "c-1"], all.Items.Select(i => i.FileId));
        Assert.All(all.Items, i => Assert.Equal(1, i.Size));
    }

    [Theory]
    [InlineData("../", 10)]
    [InlineData("a", 0)]
    [InlineData("a", 1001)]
    public async Task List_InvalidArguments_Throw400(string prefix, int pageSize)
    {
        var store = await NewStoreAsync();

        await Assert.ThrowsAsync<BadRequestException>(() => store.ListAsync(prefix, pageSize));
    }

    [Fact]
    public async Task DeleteIfMatch_CurrentETag_DeletesIt()
    {
        var store = await NewStoreAsync();
        var written = await store.WriteAsync("doc", new MemoryStream([1, 2, 3]));

        Assert.True(await store.DeleteIfMatchAsync("doc", written.ETag));

        Assert.False(await store.ExistsAsync("doc"));
    }

    [Fact]
    public async Task DeleteIfMatch_ETagOfAnOverwrittenVersion_Throws412AndKeepsTheNewOne()
    {
        var store = await NewStoreAsync();
        var first = await store.WriteAsync("doc", new MemoryStream([1, 2, 3]));
        var second = await store.WriteAsync("doc", new MemoryStream([4, 5, 6]), new FileWriteOptions { Overwrite = true });

        var error = await Assert.ThrowsAsync<PreconditionFailedException>(() => store.DeleteIfMatchAsync("doc", first.ETag));

        Assert.Equal(ProblemCodes.PreconditionFailed, error.Code);
        Assert.Equal(second.ETag, (await store.GetInfoAsync("doc"))?.ETag);
    }

    [Fact]
    public async Task DeleteIfMatch_Missing_ReturnsFalse()
    {
        var store = await NewStoreAsync();

        Assert.False(await store.DeleteIfMatchAsync("nothing", "\"abc\""));
    }

    [Fact]
    public async Task DeleteIfMatch_RacingOverwrites_NeverDeletesAVersionItDidNotName()
    {
        var store = await NewStoreAsync();
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

    /// <summary>The provider's store as <c>AddFileStore</c> serves it: inside the kit's shared wrapper.</summary>
    protected async Task<IFileStore> NewStoreAsync() =>
        new FileStorePipeline(await CreateProviderStoreAsync(), Provider, new FileStoreContext(null, string.Empty, "MicroserviceKit:Files"), NullLogger.Instance);

    protected static async Task<byte[]> ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Serves its bytes in chunks of at most 64 KiB and runs <c>fault</c> once <c>afterBytes</c> have been read.</summary>
    protected sealed class FaultingStream(byte[] bytes, int afterBytes, Action fault) : Stream
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

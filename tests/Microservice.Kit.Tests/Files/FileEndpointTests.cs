using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microservice.Kit.Files;

namespace Microservice.Kit.Tests.Files;

public sealed class FileEndpointTests(FilesHostFixture fixture) : IClassFixture<FilesHostFixture>
{
    private HttpClient Client => fixture.Client;

    public static TheoryData<string, string, byte[]> RoundTripFiles => new()
    {
        { "pdf", "application/pdf", TestFiles.Pdf(300_000) },
        { "mp4", "video/mp4", TestFiles.Mp4(700_000) },
        { "webm", "video/webm", TestFiles.WebM(200_000) },
        { "png", "image/png", TestFiles.Png(150_000) },
        { "jpeg", "image/jpeg", TestFiles.Jpeg(90_000) },
        { "bin", "application/octet-stream", TestFiles.Binary(1_000_000) },
    };

    [Theory]
    [MemberData(nameof(RoundTripFiles))]
    public async Task Upload_ThenDownload_RoundTripsByteForByte(string kind, string contentType, byte[] bytes)
    {
        var fileId = "roundtrip-" + kind;

        using var upload = await Client.PostAsync("/api/v1/files", FilesHostFixture.Form(bytes, fileId, fileName: "sample." + kind));
        using var download = await Client.GetAsync("/api/v1/files/" + fileId);

        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        Assert.Equal("/api/v1/files/" + fileId, upload.Headers.Location?.OriginalString);
        using var body = JsonDocument.Parse(await upload.Content.ReadAsStringAsync());
        Assert.Equal(fileId, body.RootElement.GetProperty("fileId").GetString());
        Assert.Equal(bytes.Length, body.RootElement.GetProperty("size").GetInt64());
        Assert.Equal(contentType, body.RootElement.GetProperty("contentType").GetString());
        Assert.Equal(TestFiles.Sha256(bytes), body.RootElement.GetProperty("sha256").GetString());

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(contentType, download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("\"" + TestFiles.Sha256(bytes) + "\"", download.Headers.ETag?.Tag);
        Assert.NotNull(download.Content.Headers.LastModified);
        Assert.Contains("bytes", download.Headers.AcceptRanges);
        Assert.Equal("sample." + kind, download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Upload_WithoutFileId_GeneratesOne()
    {
        using var upload = await Client.PostAsync("/api/v1/files", FilesHostFixture.Form(TestFiles.Binary(100)));

        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        using var body = JsonDocument.Parse(await upload.Content.ReadAsStringAsync());
        var fileId = body.RootElement.GetProperty("fileId").GetString();
        Assert.True(FileIds.IsValid(fileId));
        Assert.Equal("/api/v1/files/" + fileId, upload.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Upload_DeclaredContentType_IsKeptWhenNoAllowListApplies()
    {
        using var upload = await Client.PostAsync("/api/v1/files", FilesHostFixture.Form("a,b\n1,2\n"u8.ToArray(), "declared.csv", contentType: "text/csv"));
        using var download = await Client.GetAsync("/api/v1/files/declared.csv");

        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        Assert.Equal("text/csv", download.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Upload_ExistingIdWithoutOverwrite_Returns409FileExists()
    {
        var original = TestFiles.Png(1000);
        using var first = await Client.PostAsync("/api/v1/files", FilesHostFixture.Form(original, "no-overwrite"));

        using var second = await Client.PostAsync("/api/v1/files", FilesHostFixture.Form(TestFiles.Jpeg(1000), "no-overwrite", overwrite: "false"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await AssertProblem(second, HttpStatusCode.Conflict, "FileExists");
        Assert.Equal(original, await Client.GetByteArrayAsync("/api/v1/files/no-overwrite"));
        AssertNoTempFiles();
    }

    [Fact]
    public async Task Upload_ExistingIdWithOverwriteTrue_ReplacesIt()
    {
        var replacement = TestFiles.Jpeg(2000);
        using var first = await Client.PostAsync("/api/v1/files", FilesHostFixture.Form(TestFiles.Png(1000), "with-overwrite"));

        using var second = await Client.PostAsync("/api/v1/files", FilesHostFixture.Form(replacement, "with-overwrite", overwrite: "true"));

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(replacement, await Client.GetByteArrayAsync("/api/v1/files/with-overwrite"));
    }

    [Fact]
    public async Task Upload_ConcurrentSameIdWithoutOverwrite_ExactlyOne201()
    {
        const int uploads = 24;
        var bodies = Enumerable.Range(0, uploads).Select(i => TestFiles.Binary(50_000 + i)).ToArray();

        var responses = await Task.WhenAll(bodies.Select(bytes => Client.PostAsync("/api/v1/files", FilesHostFixture.Form(bytes, "http-race"))));

        try
        {
            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
            Assert.Equal(uploads - 1, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
            var winner = JsonDocument.Parse(await responses.Single(r => r.StatusCode == HttpStatusCode.Created).Content.ReadAsStringAsync());
            var stored = await Client.GetByteArrayAsync("/api/v1/files/http-race");
            Assert.Equal(winner.RootElement.GetProperty("sha256").GetString(), TestFiles.Sha256(stored));
            AssertNoTempFiles();
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Theory]
    [MemberData(nameof(FileIdsTests.InvalidIds), MemberType = typeof(FileIdsTests))]
    public async Task Upload_InvalidFileId_Returns400AndTouchesNothing(string fileId)
    {
        var before = fixture.Entries();

        using var response = await Client.PostAsync("/api/v1/files", FilesHostFixture.Form(TestFiles.Binary(1000), fileId));

        await AssertProblem(response, HttpStatusCode.BadRequest, "InvalidFileId");
        Assert.Equal(before, fixture.Entries());
    }

    [Theory]
    [InlineData("CON")]
    [InlineData("nul.txt")]
    [InlineData(".hidden")]
    [InlineData("trailing.")]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    [InlineData("COM1.log")]
    [InlineData("caf%C3%A9")]
    [InlineData("a%20b")]
    public async Task DownloadAndDelete_InvalidFileId_Return400(string encodedId)
    {
        using var get = await Client.GetAsync("/api/v1/files/" + encodedId);
        using var delete = await Client.DeleteAsync("/api/v1/files/" + encodedId);

        await AssertProblem(get, HttpStatusCode.BadRequest, "InvalidFileId");
        await AssertProblem(delete, HttpStatusCode.BadRequest, "InvalidFileId");
    }

    [Fact]
    public async Task Upload_FieldsAfterTheFile_Returns400AndKeepsNothing()
    {
        var before = fixture.Entries();

        using var response = await Client.PostAsync("/api/v1/files", FilesHostFixture.Form(TestFiles.Binary(5000), "late-id", fieldsAfterFile: true));

        await AssertProblem(response, HttpStatusCode.BadRequest, "InvalidUpload");
        Assert.Equal(before, fixture.Entries());
    }

    [Theory]
    [InlineData("field-after-file")]
    [InlineData("second-file")]
    public async Task Upload_OverwriteRejectedAfterTheFilePart_Returns400AndKeepsThePreviousFile(string defect)
    {
        var fileId = "keep-previous-" + defect;
        var original = TestFiles.Png(2000);
        await Upload(original, fileId);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(fileId), "file_id" },
            { new StringContent("true"), "overwrite" },
            { new ByteArrayContent(TestFiles.Jpeg(3000)), "file", "new.jpg" },
        };
        if (defect == "field-after-file")
        {
            form.Add(new StringContent("true"), "overwrite");
        }
        else
        {
            form.Add(new ByteArrayContent(TestFiles.Binary(100)), "file", "second.bin");
        }

        using var response = await Client.PostAsync("/api/v1/files", form);
        using var download = await Client.GetAsync("/api/v1/files/" + fileId);

        await AssertProblem(response, HttpStatusCode.BadRequest, "InvalidUpload");
        Assert.Equal(original, await download.Content.ReadAsByteArrayAsync());
        AssertNoTempFiles();
    }

    [Fact]
    public async Task Upload_UnknownPartAfterTheFile_IsIgnoredAndTheFileStored()
    {
        var bytes = TestFiles.Binary(3000);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("trailing-part"), "file_id" },
            { new ByteArrayContent(bytes), "file", "a.bin" },
            { new StringContent("ignored"), "comment" },
        };

        using var response = await Client.PostAsync("/api/v1/files", form);
        using var download = await Client.GetAsync("/api/v1/files/trailing-part");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_NameWithBidiOverride_IsServedWithoutIt()
    {
        using var form = FilesHostFixture.Form(TestFiles.Pdf(), "bidi-name", fileName: "invoice\u202Efdp.exe");
        using var upload = await Client.PostAsync("/api/v1/files", form);

        using var response = await Client.GetAsync("/api/v1/files/bidi-name");

        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var disposition = response.Content.Headers.ContentDisposition!;
        var name = disposition.FileNameStar ?? disposition.FileName?.Trim('"');
        Assert.Equal("invoicefdp.exe", name);
    }

    [Fact]
    public async Task Delete_StaleIfMatch_Returns412AndKeepsTheFile()
    {
        var bytes = TestFiles.Binary(500);
        await Upload(bytes, "delete-stale");

        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/files/delete-stale");
        request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"999\""));
        using var response = await Client.SendAsync(request);
        using var get = await Client.GetAsync("/api/v1/files/delete-stale");

        await AssertProblem(response, HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        Assert.Equal(bytes, await get.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Delete_CurrentIfMatchOrStar_Returns204(bool star)
    {
        var bytes = TestFiles.Binary(500);
        var fileId = star ? "delete-star" : "delete-current";
        await Upload(bytes, fileId);

        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/files/" + fileId);
        request.Headers.IfMatch.Add(star ? EntityTagHeaderValue.Any : new EntityTagHeaderValue("\"" + TestFiles.Sha256(bytes) + "\""));
        using var response = await Client.SendAsync(request);
        using var get = await Client.GetAsync("/api/v1/files/" + fileId);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Delete_MissingWithIfMatch_Returns404()
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/files/delete-missing");
        request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        using var response = await Client.SendAsync(request);

        await AssertProblem(response, HttpStatusCode.NotFound, "FileNotFound");
    }

    [Fact]
    public async Task Upload_BadOverwriteValue_Returns400()
    {
        using var response = await Client.PostAsync("/api/v1/files", FilesHostFixture.Form(TestFiles.Binary(10), "bad-overwrite", overwrite: "yes"));

        await AssertProblem(response, HttpStatusCode.BadRequest, "InvalidUpload");
    }

    [Fact]
    public async Task Upload_NoFilePart_Returns400()
    {
        using var form = new MultipartFormDataContent { { new StringContent("x"), "file_id" } };

        using var response = await Client.PostAsync("/api/v1/files", form);

        await AssertProblem(response, HttpStatusCode.BadRequest, "InvalidUpload");
    }

    [Fact]
    public async Task Upload_NotMultipart_Returns415()
    {
        using var response = await Client.PostAsync("/api/v1/files", new ByteArrayContent(TestFiles.Pdf()));

        await AssertProblem(response, HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
    }

    [Fact]
    public async Task Upload_OverTheLimit_Returns413AndKeepsNothing()
    {
        var before = fixture.Entries();

        using var response = await Client.PostAsync("/api/v1/files", FilesHostFixture.Form(TestFiles.Binary((int)FilesHostFixture.MaxUploadBytes + 1), "too-large"));

        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "PayloadTooLarge");
        Assert.Equal(before, fixture.Entries());
    }

    [Fact]
    public async Task Upload_OverTheLimitChunked_Returns413AndKeepsNothing()
    {
        // No Content-Length: the limit has to be enforced while the body streams in.
        var before = fixture.Entries();
        using var form = FilesHostFixture.Form(TestFiles.Binary((int)FilesHostFixture.MaxUploadBytes + 10_000), "too-large-chunked");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/files") { Content = new ChunkedContent(form) };

        HttpResponseMessage? response = null;
        try
        {
            response = await Client.SendAsync(request);
            await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "PayloadTooLarge");
        }
        catch (HttpRequestException)
        {
            // The server may answer and close before the client finished sending; what matters is what is kept.
        }
        finally
        {
            response?.Dispose();
        }

        Assert.Equal(before, fixture.Entries());
    }

    [Fact]
    public async Task Upload_AbortedMidway_LeavesNoFileAndNoTemporaryFile()
    {
        using var cancellation = new CancellationTokenSource();
        var content = new StallingContent(TestFiles.Binary(300_000));
        using var form = new MultipartFormDataContent { { new StringContent("aborted"), "file_id" }, { content, "file", "aborted.bin" } };

        var sending = Client.PostAsync("/api/v1/files", form, cancellation.Token);
        await content.Sent.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitUntil(() => Directory.EnumerateFiles(fixture.RootPath, ".tmp-*").Any(), "the server to start writing a temporary file");
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

        await WaitUntil(() => fixture.Entries().All(e => !e.StartsWith(".tmp-", StringComparison.Ordinal)), "the temporary file to be removed");
        Assert.DoesNotContain("aborted", fixture.Entries());
        using var get = await Client.GetAsync("/api/v1/files/aborted");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Download_Range_Returns206WithThatRange()
    {
        var bytes = TestFiles.Mp4(100_000);
        await Upload(bytes, "ranged");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/files/ranged");
        request.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(bytes[1000..2000], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1000, response.Content.Headers.ContentRange?.From);
        Assert.Equal(1999, response.Content.Headers.ContentRange?.To);
        Assert.Equal(bytes.Length, response.Content.Headers.ContentRange?.Length);
    }

    [Fact]
    public async Task Download_SuffixRange_ReturnsTheTail()
    {
        var bytes = TestFiles.WebM(50_000);
        await Upload(bytes, "suffix");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/files/suffix");
        request.Headers.Range = new RangeHeaderValue(null, 500);
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(bytes[^500..], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_UnsatisfiableRange_Returns416()
    {
        await Upload(TestFiles.Binary(1000), "unsatisfiable");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/files/unsatisfiable");
        request.Headers.Range = new RangeHeaderValue(5000, 6000);
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal(1000, response.Content.Headers.ContentRange?.Length);
    }

    [Fact]
    public async Task Download_UnsatisfiableRange_Is416ProblemKeepingContentRange()
    {
        await Upload(TestFiles.Binary(1000), "unsatisfiable-problem");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/files/unsatisfiable-problem");
        request.Headers.Range = new RangeHeaderValue(5000, 6000);
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */1000", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Content.Headers.ContentDisposition);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(416, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("RangeNotSatisfiable", problem.RootElement.GetProperty("code").GetString());
        Assert.Contains("1000 bytes", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_UnsatisfiableRange_Is416WithContentRangeAndNoBody()
    {
        await Upload(TestFiles.Binary(1000), "unsatisfiable-head");

        using var request = new HttpRequestMessage(HttpMethod.Head, "/api/v1/files/unsatisfiable-head");
        request.Headers.Range = new RangeHeaderValue(5000, 6000);
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */1000", response.Content.Headers.ContentRange?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_IfNoneMatchCurrentETag_Returns304()
    {
        await Upload(TestFiles.Png(2000), "conditional");
        using var first = await Client.GetAsync("/api/v1/files/conditional");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/files/conditional");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
    }

    [Fact]
    public async Task Download_IfNoneMatchOldETag_Returns200WithTheNewContent()
    {
        await Upload(TestFiles.Png(2000), "changed");
        using var first = await Client.GetAsync("/api/v1/files/changed");
        var replacement = TestFiles.Jpeg(3000);
        await Upload(replacement, "changed", overwrite: true);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/files/changed");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.NotEqual(first.Headers.ETag, second.Headers.ETag);
        Assert.Equal(replacement, await second.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_ContentDisposition_CarriesTheSanitisedName()
    {
        using var form = FilesHostFixture.Form(TestFiles.Pdf(), "disposition", fileName: "..\\..\\secrets\\Q3 final report.pdf");
        using var upload = await Client.PostAsync("/api/v1/files", form);

        using var response = await Client.GetAsync("/api/v1/files/disposition");

        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("Q3 final report.pdf", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
    }

    [Fact]
    public async Task Download_Missing_Returns404FileNotFound()
    {
        using var response = await Client.GetAsync("/api/v1/files/never-uploaded");

        await AssertProblem(response, HttpStatusCode.NotFound, "FileNotFound");
    }

    [Fact]
    public async Task Delete_Existing_Returns204ThenGetReturns404()
    {
        await Upload(TestFiles.Binary(100), "to-delete");

        using var delete = await Client.DeleteAsync("/api/v1/files/to-delete");
        using var again = await Client.DeleteAsync("/api/v1/files/to-delete");
        using var get = await Client.GetAsync("/api/v1/files/to-delete");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await AssertProblem(again, HttpStatusCode.NotFound, "FileNotFound");
        await AssertProblem(get, HttpStatusCode.NotFound, "FileNotFound");
        Assert.DoesNotContain("to-delete", fixture.Entries());
    }

    [Fact]
    public async Task WriteConventions_ApplyToUploadAndDelete_NotToDownload()
    {
        await Upload(TestFiles.Binary(100), "conventions");

        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/v1/files") { Content = FilesHostFixture.Form(TestFiles.Binary(10)) };
        post.Headers.Add("X-Deny-Write", "1");
        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/files/conventions");
        delete.Headers.Add("X-Deny-Write", "1");
        using var get = new HttpRequestMessage(HttpMethod.Get, "/api/v1/files/conventions");
        get.Headers.Add("X-Deny-Write", "1");

        Assert.Equal(HttpStatusCode.Forbidden, (await Client.SendAsync(post)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Client.SendAsync(delete)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(get)).StatusCode);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpeg")]
    [InlineData("gif")]
    [InlineData("webp")]
    public async Task ImagesOnlyEndpoint_Image_IsStoredWithTheTypeItsBytesShow(string kind)
    {
        var bytes = kind switch { "png" => TestFiles.Png(), "jpeg" => TestFiles.Jpeg(), "gif" => TestFiles.Gif(), _ => TestFiles.WebP() };

        // The client's claim is ignored: the bytes decide.
        using var response = await Client.PostAsync("/api/v1/images", FilesHostFixture.Form(bytes, "image-" + kind, fileName: "x.exe", contentType: "application/x-msdownload"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("image/" + kind, body.RootElement.GetProperty("contentType").GetString());
    }

    [Theory]
    [InlineData("pdf")]
    [InlineData("exe")]
    [InlineData("mp4")]
    [InlineData("empty")]
    public async Task ImagesOnlyEndpoint_NotAnImage_Returns415AndKeepsNothing(string kind)
    {
        var bytes = kind switch { "pdf" => TestFiles.Pdf(), "exe" => TestFiles.Executable(), "mp4" => TestFiles.Mp4(), _ => [] };
        var before = fixture.Entries();

        // Named and typed as a PNG, but its bytes say otherwise.
        using var response = await Client.PostAsync("/api/v1/images", FilesHostFixture.Form(bytes, "fake-" + kind, fileName: "cat.png", contentType: "image/png"));

        await AssertProblem(response, HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
        Assert.Equal(before, fixture.Entries());
    }

    private async Task Upload(byte[] bytes, string fileId, bool overwrite = false)
    {
        using var response = await Client.PostAsync("/api/v1/files", FilesHostFixture.Form(bytes, fileId, overwrite ? "true" : null));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private void AssertNoTempFiles() => Assert.DoesNotContain(fixture.Entries(), e => e.StartsWith(".tmp-", StringComparison.Ordinal));

    internal static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        // A bound on how long the server may take, not a performance assertion: generous for a loaded machine.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(20);
        }
    }

    /// <summary>Sends its content without a Content-Length, so the server sees a chunked body.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly HttpContent _inner;

        public ChunkedContent(HttpContent inner)
        {
            _inner = inner;
            Headers.ContentType = inner.Headers.ContentType;
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _inner.CopyToAsync(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>Sends part of a file, then stalls until the request is cancelled.</summary>
    private sealed class StallingContent(byte[] firstPart) : HttpContent
    {
        private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Sent => _sent.Task;

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(firstPart, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            _sent.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

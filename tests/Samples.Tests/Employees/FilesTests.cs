using System.Security.Cryptography;

namespace Samples.Tests.Employees;

/// <summary>Rows: <c>POST /api/v1/files</c>, <c>GET</c> and <c>DELETE /api/v1/files/{fileId}</c>.</summary>
[Collection(EmployeesServiceGroup.Name)]
public sealed class FilesTests(EmployeesFixture fixture)
{
    private const long HundredMiB = 100L * 1024 * 1024;
    private readonly HttpClient _client = fixture.Client;
    private readonly string _token = fixture.AdminToken;

    [Theory]
    [InlineData("application/pdf", "report.pdf")]
    [InlineData("video/mp4", "clip.mp4")]
    [InlineData("application/octet-stream", "blob.bin")]
    public async Task Upload_Returns201_ThenDownloadStreamsItBack(string contentType, string fileName)
    {
        var fileId = Api.Unique("doc");
        var content = Api.Binary(300_000, seed: fileName.Length);

        using var upload = await UploadAsync(content, contentType, fileName, fileId);
        var body = await upload.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal(fileId, body["fileId"]!.GetValue<string>());
        Assert.Equal(content.Length, body["size"]!.GetValue<long>());
        Assert.Equal(contentType, body["contentType"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), body["sha256"]!.GetValue<string>().ToLowerInvariant());
        Assert.EndsWith($"/api/v1/files/{fileId}", upload.Headers.Location!.ToString(), StringComparison.Ordinal);

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/files/{fileId}", _token);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(contentType, get.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(get.Headers.ETag);
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());

        using var ranged = Api.Request(HttpMethod.Get, $"/api/v1/files/{fileId}", _token);
        ranged.Headers.Range = new RangeHeaderValue(0, 99);
        using var partial = await _client.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(content.AsSpan(0, 100).ToArray(), await partial.Content.ReadAsByteArrayAsync());

        using var conditional = Api.Request(HttpMethod.Get, $"/api/v1/files/{fileId}", _token);
        conditional.Headers.IfNoneMatch.Add(get.Headers.ETag!);
        using var notModified = await _client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task Upload_WithoutFileId_GeneratesOne()
    {
        using var upload = await UploadAsync(Api.Binary(10), "application/octet-stream", "x.bin", fileId: null);
        var body = await upload.ReadJsonAsync(HttpStatusCode.Created);
        var fileId = body["fileId"]!.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(fileId));

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/files/{Uri.EscapeDataString(fileId)}", _token);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task Upload_ExistingIdWithoutOverwrite_Returns409_AndWithOverwriteReplacesIt()
    {
        var fileId = Api.Unique("same");
        var first = Api.Binary(1000, seed: 1);
        using (var created = await UploadAsync(first, "application/octet-stream", "a.bin", fileId))
        {
            await created.ReadJsonAsync(HttpStatusCode.Created);
        }

        using (var conflict = await UploadAsync(Api.Binary(1000, seed: 2), "application/octet-stream", "b.bin", fileId))
        {
            await conflict.ReadProblemAsync(HttpStatusCode.Conflict);
        }

        using (var explicitNo = await UploadAsync(Api.Binary(1000, seed: 3), "application/octet-stream", "c.bin", fileId, overwrite: "false"))
        {
            await explicitNo.ReadProblemAsync(HttpStatusCode.Conflict);
        }

        using (var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/files/{fileId}", _token))
        {
            Assert.Equal(first, await get.Content.ReadAsByteArrayAsync());
        }

        var replacement = Api.Binary(2000, seed: 4);
        using (var overwritten = await UploadAsync(replacement, "application/octet-stream", "d.bin", fileId, overwrite: "true"))
        {
            Assert.True(overwritten.IsSuccessStatusCode, $"overwrite answered {(int)overwritten.StatusCode}");
        }

        using var after = await _client.SendAsync(HttpMethod.Get, $"/api/v1/files/{fileId}", _token);
        Assert.Equal(replacement, await after.Content.ReadAsByteArrayAsync());
    }

    public static TheoryData<string> BadFileIds => new()
    {
        "../escape",
        "..",
        ".hidden",
        "a/b",
        "a\\b",
        "with space",
        "semi;colon",
        "percent%2F",
        "nul\0byte",
        "ünïcode",
        new string('x', 129),
        "/etc/passwd",
        "C:evil",
    };

    [Theory]
    [MemberData(nameof(BadFileIds))]
    public async Task Upload_BadFileId_Returns400_AndWritesNothing(string fileId)
    {
        var before = Directory.EnumerateFiles(fixture.Data.Path, "*", SearchOption.AllDirectories).Count(f => !IsDatabaseFile(f));
        using var upload = await UploadAsync(Api.Binary(64), "application/octet-stream", "x.bin", fileId);
        await upload.ReadProblemAsync(HttpStatusCode.BadRequest);
        var after = Directory.EnumerateFiles(fixture.Data.Path, "*", SearchOption.AllDirectories).Count(f => !IsDatabaseFile(f));
        Assert.True(after <= before, "a rejected upload left a file behind");
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(fixture.Data.Path)!, "escape*"));
    }

    [Fact]
    public async Task Upload_FileIdOf128Characters_IsAccepted()
    {
        var fileId = new string('k', 100) + Guid.NewGuid().ToString("N")[..28];
        using var upload = await UploadAsync(Api.Binary(8), "application/octet-stream", "x.bin", fileId);
        await upload.ReadJsonAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData(".hidden")]
    [InlineData("with%20space")]
    [InlineData("..%2F..%2Fescape")]
    [InlineData("semi%3Bcolon")]
    public async Task GetOrDelete_BadFileId_Returns400(string encodedId)
    {
        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/files/{encodedId}", _token);
        await get.ReadProblemAsync(HttpStatusCode.BadRequest);
        using var delete = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/files/{encodedId}", _token);
        await delete.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task GetOrDelete_Missing_Returns404()
    {
        using var get = await _client.SendAsync(HttpMethod.Get, "/api/v1/files/no-such-file", _token);
        await get.ReadProblemAsync(HttpStatusCode.NotFound);
        using var delete = await _client.SendAsync(HttpMethod.Delete, "/api/v1/files/no-such-file", _token);
        await delete.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_Returns204_ThenTheFileIsGone()
    {
        var fileId = Api.Unique("gone");
        using (var upload = await UploadAsync(Api.Binary(100), "application/octet-stream", "x.bin", fileId))
        {
            await upload.ReadJsonAsync(HttpStatusCode.Created);
        }

        using var delete = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/files/{fileId}", _token);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/files/{fileId}", _token);
        await get.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Upload_Over100MiB_Returns413_AndKeepsNothing()
    {
        var fileId = Api.Unique("huge");
        using var request = Api.Request(HttpMethod.Post, "/api/v1/files", _token);
        request.Content = Api.Multipart(new LargeContent(HundredMiB + 1), "application/octet-stream", "huge.bin", fileId);
        using var response = await _client.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/files/{fileId}", _token);
        await get.ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(Directory.EnumerateFiles(fixture.Data.Path, "*", SearchOption.AllDirectories), f => new FileInfo(f).Length > 50L * 1024 * 1024);
    }

    private static bool IsDatabaseFile(string path) =>
        Path.GetFileName(path).Contains(".db", StringComparison.OrdinalIgnoreCase);

    private async Task<HttpResponseMessage> UploadAsync(byte[] content, string contentType, string fileName, string? fileId, string? overwrite = null)
    {
        using var request = Api.Request(HttpMethod.Post, "/api/v1/files", _token);
        request.Content = Api.Multipart(content, contentType, fileName, fileId, overwrite);
        return await _client.SendAsync(request);
    }
}

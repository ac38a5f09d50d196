using System.Net;
using System.Net.Http.Headers;
using Microservice.Kit.Files;
using Microservice.Kit.Problems;
using Microsoft.AspNetCore.Http;

namespace Microservice.Kit.Tests.Files;

/// <summary>
/// <see cref="FileResults"/>' downloads where RFC 9110 and ASP.NET Core's file results read a request differently,
/// and <see cref="FileResults.CheckIfMatch"/>.
/// </summary>
public sealed class FileResultsTests(FilesHostFixture fixture) : IClassFixture<FilesHostFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Download_UnknownRangeUnit_IsIgnoredWith200AndTheWholeBody()
    {
        var bytes = TestFiles.Binary(5000);
        await Upload(bytes, "range-unit");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/files/range-unit");
        request.Headers.TryAddWithoutValidation("Range", "items=0-9");
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentRange);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_BytesRangeUnitInUpperCase_IsStillARange()
    {
        var bytes = TestFiles.Binary(5000);
        await Upload(bytes, "range-unit-case");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/files/range-unit-case");
        request.Headers.TryAddWithoutValidation("Range", "BYTES=0-9");
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(bytes[..10], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_IfRangeDateLaterThanLastModified_Returns200WithTheWholeBody()
    {
        var bytes = TestFiles.Binary(5000);
        await Upload(bytes, "if-range-later");
        var lastModified = await LastModified("if-range-later");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/files/if-range-later");
        request.Headers.Range = new RangeHeaderValue(0, 9);
        request.Headers.IfRange = new RangeConditionHeaderValue(lastModified.AddHours(1));
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_IfRangeExactlyLastModified_Returns206()
    {
        var bytes = TestFiles.Binary(5000);
        await Upload(bytes, "if-range-exact");
        var lastModified = await LastModified("if-range-exact");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/files/if-range-exact");
        request.Headers.Range = new RangeHeaderValue(0, 9);
        request.Headers.IfRange = new RangeConditionHeaderValue(lastModified);
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(bytes[..10], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_IfRangeCurrentETag_Returns206()
    {
        var bytes = TestFiles.Binary(5000);
        await Upload(bytes, "if-range-etag");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/files/if-range-etag");
        request.Headers.Range = new RangeHeaderValue(10, 19);
        request.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"" + TestFiles.Sha256(bytes) + "\""));
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(bytes[10..20], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_IfMatchCurrentWithFailingIfUnmodifiedSince_Returns200()
    {
        var bytes = TestFiles.Binary(5000);
        await Upload(bytes, "if-match-ius");
        var lastModified = await LastModified("if-match-ius");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/files/if-match-ius");
        request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"" + TestFiles.Sha256(bytes) + "\""));
        request.Headers.IfUnmodifiedSince = lastModified.AddDays(-1);
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_FailingIfUnmodifiedSinceAlone_Returns412()
    {
        await Upload(TestFiles.Binary(5000), "ius-alone");
        var lastModified = await LastModified("ius-alone");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/files/ius-alone");
        request.Headers.IfUnmodifiedSince = lastModified.AddDays(-1);
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [Fact]
    public async Task Head_File_Returns200WithTheHeadersOfGetAndNoBody()
    {
        var bytes = TestFiles.Pdf(20_000);
        await Upload(bytes, "head");

        using var get = await Client.GetAsync("/api/v1/files/head");
        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/files/head"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(bytes.Length, head.Content.Headers.ContentLength);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.LastModified, head.Content.Headers.LastModified);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Contains("bytes", head.Headers.AcceptRanges);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_Missing_Returns404()
    {
        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/files/never-there"));

        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    public static TheoryData<string, string> HostileConditionalHeaders => new()
    {
        { "Range", "bytes=" },
        { "Range", "bytes=-" },
        { "Range", "bytes=9-1" },
        { "Range", "bytes=0-1,2-3" },
        { "Range", "bytes=99999999999999999999-" },
        { "Range", "=0-9" },
        { "Range", "bytes" },
        { "Range", " items = 0-9 " },
        { "If-Range", "\"" },
        { "If-Range", "W/\"x\"" },
        { "If-Range", "Tue, 31 Feb 2026 25:61:61 GMT" },
        { "If-Range", "Sat, 01 Jan 0001 00:00:00 GMT" },
        { "If-Range", "Fri, 31 Dec 9999 23:59:59 GMT" },
        { "If-Match", "*, \"x\"" },
        { "If-Match", "\"" },
        { "If-Match", "W/" },
        { "If-Unmodified-Since", "not a date" },
        { "If-Unmodified-Since", "Sat, 01 Jan 0001 00:00:00 GMT" },
        { "If-None-Match", "\"\", ,," },
        { "If-Modified-Since", "Fri, 31 Dec 9999 23:59:59 GMT" },
    };

    [Theory]
    [MemberData(nameof(HostileConditionalHeaders))]
    public async Task Download_HostileConditionalHeader_NeverAServerError(string header, string value)
    {
        var bytes = TestFiles.Binary(2000);
        var fileId = "hostile-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(header + value)))[..16];
        await Upload(bytes, fileId);

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            using var request = new HttpRequestMessage(method, "/api/v1/files/" + fileId);
            request.Headers.TryAddWithoutValidation(header, value);
            request.Headers.TryAddWithoutValidation("Range", "bytes=0-9");
            using var response = await Client.SendAsync(request);

            Assert.Contains((int)response.StatusCode, new[] { 200, 206, 304, 412, 416 });
        }

        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/files/" + fileId);
        delete.Headers.TryAddWithoutValidation(header, value);
        using var deleted = await Client.SendAsync(delete);
        Assert.Contains((int)deleted.StatusCode, new[] { 204, 412 });
    }

    [Fact]
    public void CheckIfMatch_NoHeader_ReturnsNull()
    {
        Assert.Null(FileResults.CheckIfMatch(Request(null), Info("\"abc\"")));
    }

    [Theory]
    [InlineData("\"abc\"")]
    [InlineData("\"other\", \"abc\"")]
    public void CheckIfMatch_ATagIsCurrent_ReturnsTheCurrentETag(string ifMatch)
    {
        Assert.Equal(Info("abc").ETag, FileResults.CheckIfMatch(Request(ifMatch), Info("abc")));
    }

    [Fact]
    public void CheckIfMatch_StarOnAnExistingFile_ReturnsNull()
    {
        Assert.Null(FileResults.CheckIfMatch(Request("*"), Info("abc")));
    }

    [Theory]
    [InlineData("\"other\"")]
    [InlineData("W/\"abc\"")]
    [InlineData("abc")]
    [InlineData("\"abc")]
    public void CheckIfMatch_NoCurrentTag_Throws412(string ifMatch)
    {
        var error = Assert.Throws<PreconditionFailedException>(() => FileResults.CheckIfMatch(Request(ifMatch), Info("abc")));

        Assert.Equal(412, error.StatusCode);
        Assert.Equal(ProblemCodes.PreconditionFailed, error.Code);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("\"abc\"")]
    public void CheckIfMatch_NoFile_Throws412(string ifMatch)
    {
        Assert.Throws<PreconditionFailedException>(() => FileResults.CheckIfMatch(Request(ifMatch), current: null));
    }

    private static HttpRequest Request(string? ifMatch)
    {
        var context = new DefaultHttpContext();
        if (ifMatch is not null)
        {
            context.Request.Headers.IfMatch = ifMatch;
        }

        return context.Request;
    }

    private static StoredFileInfo Info(string sha256) =>
        new("f", 1, "application/octet-stream", null, sha256, DateTimeOffset.UnixEpoch);

    private async Task<DateTimeOffset> LastModified(string fileId)
    {
        using var response = await Client.GetAsync("/api/v1/files/" + fileId);
        return response.Content.Headers.LastModified ?? throw new InvalidOperationException("no Last-Modified");
    }

    private async Task Upload(byte[] bytes, string fileId)
    {
        using var response = await Client.PostAsync("/api/v1/files", FilesHostFixture.Form(bytes, fileId));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}

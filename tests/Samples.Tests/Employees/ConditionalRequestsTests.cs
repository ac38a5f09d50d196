using System.Security.Cryptography;

namespace Samples.Tests.Employees;

/// <summary>
/// RFC 9110 preconditions and ranges through the real Employees service: If-Match on every write and delete of
/// employees, pictures and files, unconditional PUTs under concurrency, and the download rules of §13-§14.
/// </summary>
[Collection(EmployeesServiceGroup.Name)]
public sealed class ConditionalRequestsTests(EmployeesFixture fixture)
{
    private const string StaleTag = "\"999\"";
    private readonly HttpClient _client = fixture.Client;
    private readonly string _token = fixture.AdminToken;

    [Fact]
    public async Task EmployeeDelete_StaleIfMatch_Returns412AndKeepsTheEmployee()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));

        using var request = Api.Request(HttpMethod.Delete, $"/api/v2/employees/{id}", _token);
        request.Headers.IfMatch.Add(new EntityTagHeaderValue(StaleTag));
        using var response = await _client.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed");

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v2/employees/{id}", _token);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task EmployeeDelete_CurrentIfMatch_Returns204()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        using var current = await _client.SendAsync(HttpMethod.Get, $"/api/v2/employees/{id}", _token);

        using var request = Api.Request(HttpMethod.Delete, $"/api/v2/employees/{id}", _token);
        request.Headers.IfMatch.Add(current.Headers.ETag!);
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task EmployeePut_SixteenConcurrentWithoutIfMatch_AllReturn200()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            using var response = await _client.SendAsync(HttpMethod.Put, $"/api/v2/employees/{id}", _token,
                new { name = $"Writer {i}", address = $"{i} Concurrency Road" });
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }));

        Assert.All(responses, r => Assert.True(r.Item1 == 200, $"a PUT answered {r.Item1}: {r.Item2}"));
        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v2/employees/{id}", _token);
        Assert.Equal("\"17\"", get.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task EmployeePut_StaleIfMatch_StillReturns412()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        using var first = await _client.SendAsync(HttpMethod.Put, $"/api/v2/employees/{id}", _token, new { name = "First", address = "1 Road" });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var request = Api.Request(HttpMethod.Put, $"/api/v2/employees/{id}", _token, new { name = "Late", address = "2 Road" });
        request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        using var response = await _client.SendAsync(request);

        await response.ReadProblemAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v2/employees/{id}", _token);
        Assert.Equal("First", (await get.ReadJsonAsync(HttpStatusCode.OK))["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task PicturePut_StaleIfMatch_Returns412AndKeepsThePicture()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        var original = Api.Png(3000, seed: 11);
        await PutPictureAsync(id, original, ifMatch: null, HttpStatusCode.OK);

        await PutPictureAsync(id, Api.Png(4000, seed: 12), new EntityTagHeaderValue(StaleTag), HttpStatusCode.PreconditionFailed);

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        Assert.Equal(original, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task PicturePut_IfMatchWithoutAPicture_Returns412()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));

        await PutPictureAsync(id, Api.Png(3000), new EntityTagHeaderValue(StaleTag), HttpStatusCode.PreconditionFailed);

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task PicturePut_CurrentIfMatch_ReplacesIt()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        await PutPictureAsync(id, Api.Png(3000, seed: 21), ifMatch: null, HttpStatusCode.OK);
        using var current = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        var replacement = Api.Png(5000, seed: 22);

        await PutPictureAsync(id, replacement, current.Headers.ETag, HttpStatusCode.OK);

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        Assert.Equal(replacement, await get.Content.ReadAsByteArrayAsync());
    }

    [EmbeddedBackendFact] // counts the picture files in the data directory; under shared storage they are in S3
    public async Task PicturePut_EightConcurrentWithoutIfMatch_AllReturn200AndOneRemains()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        var pictures = Enumerable.Range(0, 8).Select(i => Api.Png(2000 + i, seed: 100 + i)).ToArray();

        var statuses = await Task.WhenAll(pictures.Select(async png =>
        {
            using var request = Api.Request(HttpMethod.Put, $"/api/v1/employees/{id}/picture", _token);
            request.Content = Api.Multipart(png, "image/png", "portrait.png");
            using var response = await _client.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }));

        Assert.All(statuses, s => Assert.True(s.Item1 == 200, $"a picture PUT answered {s.Item1}: {s.Item2}"));
        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        var served = await get.Content.ReadAsByteArrayAsync();
        Assert.Contains(pictures, p => p.AsSpan().SequenceEqual(served));

        // Every replaced picture was deleted: only the one served is left of the eight.
        var kept = Directory.EnumerateFiles(fixture.Data.Path, "*", SearchOption.AllDirectories)
            .Select(File.ReadAllBytes)
            .Count(bytes => pictures.Any(p => bytes.AsSpan().IndexOf(p) >= 0));
        Assert.Equal(1, kept);
    }

    [Fact]
    public async Task PictureDelete_StaleIfMatch_Returns412AndKeepsThePicture()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        await PutPictureAsync(id, Api.Png(3000, seed: 31), ifMatch: null, HttpStatusCode.OK);

        using var request = Api.Request(HttpMethod.Delete, $"/api/v1/employees/{id}/picture", _token);
        request.Headers.IfMatch.Add(new EntityTagHeaderValue(StaleTag));
        using var response = await _client.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed");

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task PictureDelete_CurrentIfMatch_Returns204()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        await PutPictureAsync(id, Api.Png(3000, seed: 41), ifMatch: null, HttpStatusCode.OK);
        using var current = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);

        using var request = Api.Request(HttpMethod.Delete, $"/api/v1/employees/{id}/picture", _token);
        request.Headers.IfMatch.Add(current.Headers.ETag!);
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task PictureHead_Returns200WithTheHeadersOfGetAndNoBody()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        var png = Api.Png(6000, seed: 51);
        await PutPictureAsync(id, png, ifMatch: null, HttpStatusCode.OK);

        using var head = await _client.SendAsync(HttpMethod.Head, $"/api/v1/employees/{id}/picture", _token);

        AssertHeadOf(head, png);
    }

    [Fact]
    public async Task FileHead_Returns200WithTheHeadersOfGetAndNoBody()
    {
        var fileId = Api.Unique("head");
        var content = Api.Binary(7000, seed: 61);
        await UploadAsync(content, fileId);

        using var head = await _client.SendAsync(HttpMethod.Head, $"/api/v1/files/{fileId}", _token);

        AssertHeadOf(head, content);
    }

    [Fact]
    public async Task FileDelete_StaleIfMatch_Returns412AndKeepsTheFile()
    {
        var fileId = Api.Unique("keep");
        await UploadAsync(Api.Binary(1000), fileId);

        using var request = Api.Request(HttpMethod.Delete, $"/api/v1/files/{fileId}", _token);
        request.Headers.IfMatch.Add(new EntityTagHeaderValue(StaleTag));
        using var response = await _client.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.PreconditionFailed, "PreconditionFailed");

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/files/{fileId}", _token);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task FileDownload_UnknownRangeUnit_Returns200WithTheWholeBody()
    {
        var fileId = Api.Unique("units");
        var content = Api.Binary(4000, seed: 71);
        await UploadAsync(content, fileId);

        using var request = Api.Request(HttpMethod.Get, $"/api/v1/files/{fileId}", _token);
        request.Headers.TryAddWithoutValidation("Range", "items=0-9");
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task FileDownload_IfRangeDateNotExactlyLastModified_Returns200WithTheWholeBody()
    {
        var fileId = Api.Unique("ifrange");
        var content = Api.Binary(4000, seed: 72);
        await UploadAsync(content, fileId);
        using var first = await _client.SendAsync(HttpMethod.Get, $"/api/v1/files/{fileId}", _token);

        using var request = Api.Request(HttpMethod.Get, $"/api/v1/files/{fileId}", _token);
        request.Headers.Range = new RangeHeaderValue(0, 9);
        request.Headers.IfRange = new RangeConditionHeaderValue(first.Content.Headers.LastModified!.Value.AddMinutes(5));
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task FileDownload_CurrentIfMatchWithFailingIfUnmodifiedSince_Returns200()
    {
        var fileId = Api.Unique("ius");
        var content = Api.Binary(4000, seed: 73);
        await UploadAsync(content, fileId);
        using var first = await _client.SendAsync(HttpMethod.Get, $"/api/v1/files/{fileId}", _token);

        using var request = Api.Request(HttpMethod.Get, $"/api/v1/files/{fileId}", _token);
        request.Headers.IfMatch.Add(first.Headers.ETag!);
        request.Headers.IfUnmodifiedSince = first.Content.Headers.LastModified!.Value.AddDays(-1);
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("field-after-file")]
    [InlineData("second-file")]
    public async Task FileUpload_OverwriteFormRejectedAfterTheFile_Returns400AndServesThePreviousFile(string defect)
    {
        var fileId = Api.Unique("overwrite");
        var original = Api.Binary(2000, seed: 81);
        await UploadAsync(original, fileId);
        using var form = Api.Multipart(Api.Binary(3000, seed: 82), "application/octet-stream", "new.bin", fileId, overwrite: "true");
        if (defect == "field-after-file")
        {
            form.Add(new StringContent("true"), "overwrite");
        }
        else
        {
            form.Add(new ByteArrayContent(Api.Binary(10, seed: 83)), "file", "second.bin");
        }

        using var request = Api.Request(HttpMethod.Post, "/api/v1/files", _token);
        request.Content = form;
        using var response = await _client.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "InvalidUpload");

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/files/{fileId}", _token);
        Assert.Equal(original, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task FileDownload_NameWithRightToLeftOverride_IsServedWithoutIt()
    {
        var fileId = Api.Unique("bidi");
        await UploadAsync(Api.Binary(500), fileId, fileName: "invoice\u202Efdp.exe");

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/files/{fileId}", _token);

        var disposition = get.Content.Headers.ContentDisposition!;
        Assert.Equal("invoicefdp.exe", disposition.FileNameStar ?? disposition.FileName?.Trim('"'));
    }

    private static void AssertHeadOf(HttpResponseMessage head, byte[] content)
    {
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(content.Length, head.Content.Headers.ContentLength);
        Assert.Equal("\"" + Convert.ToHexStringLower(SHA256.HashData(content)) + "\"", head.Headers.ETag?.Tag);
        Assert.Equal("bytes", head.Header("Accept-Ranges"));
        Assert.NotNull(head.Content.Headers.LastModified);
        Assert.Empty(head.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult());
    }

    private async Task UploadAsync(byte[] content, string fileId, string fileName = "upload.bin")
    {
        using var request = Api.Request(HttpMethod.Post, "/api/v1/files", _token);
        request.Content = Api.Multipart(content, "application/octet-stream", fileName, fileId);
        using var response = await _client.SendAsync(request);
        await response.ReadJsonAsync(HttpStatusCode.Created);
    }

    private async Task PutPictureAsync(string id, byte[] png, EntityTagHeaderValue? ifMatch, HttpStatusCode expected)
    {
        using var request = Api.Request(HttpMethod.Put, $"/api/v1/employees/{id}/picture", _token);
        request.Content = Api.Multipart(png, "image/png", "portrait.png");
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(ifMatch);
        }

        using var response = await _client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"picture upload answered {(int)response.StatusCode}: {body}");
    }
}

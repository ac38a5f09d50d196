namespace Samples.Tests.Employees;

/// <summary>Rows: <c>PUT</c>, <c>GET</c> and <c>DELETE /api/v1/employees/{id}/picture</c>, and a picture leaving with its employee.</summary>
[Collection(EmployeesServiceGroup.Name)]
public sealed class PicturesTests(EmployeesFixture fixture)
{
    private const int TenMiB = 10 * 1024 * 1024;
    private readonly HttpClient _client = fixture.Client;
    private readonly string _token = fixture.AdminToken;

    [Fact]
    public async Task Picture_RoundTrip_WithRangeETagAnd304()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token, "Alan Turing"));
        var png = Api.Png(200_000, seed: 7);

        await UploadAsync(id, png, HttpStatusCode.OK);

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("image/png", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal("bytes", get.Header("Accept-Ranges"));
        var etag = get.Headers.ETag;
        Assert.NotNull(etag);
        Assert.Equal(png, await get.Content.ReadAsByteArrayAsync());

        using var ranged = Api.Request(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        ranged.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var partial = await _client.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal($"bytes 1000-1999/{png.Length}", partial.Content.Headers.ContentRange?.ToString());
        Assert.Equal(png.AsSpan(1000, 1000).ToArray(), await partial.Content.ReadAsByteArrayAsync());

        using var suffix = Api.Request(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        suffix.Headers.Range = new RangeHeaderValue(null, 10);
        using var tail = await _client.SendAsync(suffix);
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(png.AsSpan(png.Length - 10).ToArray(), await tail.Content.ReadAsByteArrayAsync());

        using var conditional = Api.Request(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        conditional.Headers.IfNoneMatch.Add(etag!);
        using var notModified = await _client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        // The employee points at its picture in both versions.
        using var v1 = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}", _token);
        Assert.False(string.IsNullOrEmpty((await v1.ReadJsonAsync(HttpStatusCode.OK))["pictureId"]?.GetValue<string>()));
        using var v2 = await _client.SendAsync(HttpMethod.Get, $"/api/v2/employees/{id}", _token);
        var pictureUrl = (await v2.ReadJsonAsync(HttpStatusCode.OK))["pictureUrl"]!.GetValue<string>();
        Assert.EndsWith($"/employees/{id}/picture", pictureUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Picture_Replaced_ServesTheNewOneWithANewETag()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        await UploadAsync(id, Api.Png(5000, seed: 1), HttpStatusCode.OK);
        using var first = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);

        var second = Api.Png(6000, seed: 2);
        await UploadAsync(id, second, HttpStatusCode.OK);
        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        Assert.Equal(second, await get.Content.ReadAsByteArrayAsync());
        Assert.NotEqual(first.Headers.ETag, get.Headers.ETag);
    }

    [Fact]
    public async Task Picture_OfMissingEmployee_Returns404()
    {
        await UploadAsync("987654321", Api.Png(100), HttpStatusCode.NotFound);
        using var get = await _client.SendAsync(HttpMethod.Get, "/api/v1/employees/987654321/picture", _token);
        await get.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Picture_WithoutFilePart_Returns400()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        using var request = Api.Request(HttpMethod.Put, $"/api/v1/employees/{id}/picture", _token);
        request.Content = new MultipartFormDataContent { { new StringContent("x"), "not_file" } };
        using var response = await _client.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("image/png", "picture.png")]
    [InlineData("text/plain", "notes.txt")]
    public async Task Picture_NotAnImage_Returns415_WhateverItsNameOrTypeSays(string contentType, string fileName)
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        using var request = Api.Request(HttpMethod.Put, $"/api/v1/employees/{id}/picture", _token);
        request.Content = Api.Multipart("just some text, not an image"u8.ToArray(), contentType, fileName);
        using var response = await _client.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        await get.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Picture_Over10MiB_Returns413_AndKeepsNothing()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        var original = Api.Png(1000, seed: 3);
        await UploadAsync(id, original, HttpStatusCode.OK);

        using var request = Api.Request(HttpMethod.Put, $"/api/v1/employees/{id}/picture", _token);
        request.Content = Api.Multipart(new LargeContent(TenMiB + 1), "image/png", "huge.png");
        using var response = await _client.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        Assert.Equal(original, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Picture_Delete_Returns204_Then404()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        await UploadAsync(id, Api.Png(100), HttpStatusCode.OK);

        using var delete = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/employees/{id}/picture", _token);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        await get.ReadProblemAsync(HttpStatusCode.NotFound);
        using var again = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/employees/{id}/picture", _token);
        await again.ReadProblemAsync(HttpStatusCode.NotFound);

        using var employee = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}", _token);
        Assert.Null((await employee.ReadJsonAsync(HttpStatusCode.OK))["pictureId"]);
    }

    [EmbeddedBackendFact] // counts the picture files in the data directory; under shared storage they are in S3
    public async Task DeletingTheEmployee_DeletesItsPicture()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        var png = Api.Png(4321, seed: 11);
        await UploadAsync(id, png, HttpStatusCode.OK);
        var before = CountFilesHolding(png);
        Assert.True(before > 0, "the picture is not stored under the data directory");

        using var delete = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/employees/{id}", _token);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}/picture", _token);
        await get.ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, CountFilesHolding(png));
    }

    private int CountFilesHolding(byte[] content) =>
        Directory.EnumerateFiles(fixture.Data.Path, "*", SearchOption.AllDirectories)
            .Count(f => new FileInfo(f).Length >= content.Length && File.ReadAllBytes(f).AsSpan().IndexOf(content) >= 0);

    private async Task UploadAsync(string id, byte[] png, HttpStatusCode expected)
    {
        using var request = Api.Request(HttpMethod.Put, $"/api/v1/employees/{id}/picture", _token);
        request.Content = Api.Multipart(png, "image/png", "portrait.png");
        using var response = await _client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"picture upload answered {(int)response.StatusCode}: {body}");
    }
}

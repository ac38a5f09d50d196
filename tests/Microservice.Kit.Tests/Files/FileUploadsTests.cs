using System.Net;
using System.Text.Json;

namespace Microservice.Kit.Tests.Files;

/// <summary>The employee-picture pattern of the samples, built from <c>FileUploads.ReadSingleFileAsync</c> and <c>FileResults.Download</c>.</summary>
public sealed class FileUploadsTests(FilesHostFixture fixture) : IClassFixture<FilesHostFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Picture_PutImage_ThenGet_RoundTripsWithItsType()
    {
        var png = TestFiles.Png(20_000);

        using var put = await Client.PutAsync("/api/v1/employees/1/picture", FilesHostFixture.Form(png, fileName: "me.png"));
        using var get = await Client.GetAsync("/api/v1/employees/1/picture");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var body = JsonDocument.Parse(await put.Content.ReadAsStringAsync());
        Assert.Equal("employee-1-picture", body.RootElement.GetProperty("fileId").GetString());
        Assert.Equal("image/png", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(png, await get.Content.ReadAsByteArrayAsync());
        Assert.Contains("bytes", get.Headers.AcceptRanges);
        Assert.NotNull(get.Headers.ETag);
    }

    [Fact]
    public async Task Picture_PutAgain_ReplacesIt()
    {
        using var first = await Client.PutAsync("/api/v1/employees/2/picture", FilesHostFixture.Form(TestFiles.Png(5_000)));
        var jpeg = TestFiles.Jpeg(7_000);

        using var second = await Client.PutAsync("/api/v1/employees/2/picture", FilesHostFixture.Form(jpeg));
        using var get = await Client.GetAsync("/api/v1/employees/2/picture");

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("image/jpeg", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(jpeg, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Picture_NotAnImage_Returns415()
    {
        using var put = await Client.PutAsync("/api/v1/employees/3/picture", FilesHostFixture.Form(TestFiles.Pdf(), fileName: "me.png", contentType: "image/png"));

        await FileEndpointTests.AssertProblem(put, HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
        Assert.DoesNotContain("employee-3-picture", fixture.Entries());
    }

    [Fact]
    public async Task Picture_OverItsLimit_Returns413AndKeepsTheOldOne()
    {
        var original = TestFiles.Png(1_000);
        using var first = await Client.PutAsync("/api/v1/employees/4/picture", FilesHostFixture.Form(original));

        using var put = await Client.PutAsync("/api/v1/employees/4/picture", FilesHostFixture.Form(TestFiles.Png((int)FilesHostFixture.MaxPictureBytes + 1)));

        await FileEndpointTests.AssertProblem(put, HttpStatusCode.RequestEntityTooLarge, "PayloadTooLarge");
        Assert.Equal(original, await Client.GetByteArrayAsync("/api/v1/employees/4/picture"));
        Assert.DoesNotContain(fixture.Entries(), e => e.StartsWith(".tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Picture_IfNoneMatch_Returns304()
    {
        using var put = await Client.PutAsync("/api/v1/employees/5/picture", FilesHostFixture.Form(TestFiles.Gif()));
        using var first = await Client.GetAsync("/api/v1/employees/5/picture");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/employees/5/picture");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task Picture_Delete_Returns204ThenGet404()
    {
        using var put = await Client.PutAsync("/api/v1/employees/6/picture", FilesHostFixture.Form(TestFiles.Png()));

        using var delete = await Client.DeleteAsync("/api/v1/employees/6/picture");
        using var get = await Client.GetAsync("/api/v1/employees/6/picture");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await FileEndpointTests.AssertProblem(get, HttpStatusCode.NotFound, "FileNotFound");
    }

    [Fact]
    public async Task Picture_OtherPartsAreIgnored()
    {
        var png = TestFiles.Png(3_000);
        using var form = FilesHostFixture.Form(png, fileId: "ignored-id", overwrite: "false");

        using var put = await Client.PutAsync("/api/v1/employees/7/picture", form);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.DoesNotContain("ignored-id", fixture.Entries());
        Assert.Equal(png, await Client.GetByteArrayAsync("/api/v1/employees/7/picture"));
    }
}

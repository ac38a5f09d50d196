using Microservice.Kit.Versioning;
using Microservice.Kit.Versioning.Internal;
using Microsoft.AspNetCore.Http;

namespace Microservice.Kit.Tests.Versioning;

public sealed class ApiVersionReaderTests
{
    private static readonly ApiVersionReader Reader = ApiVersionReader.From(new ApiVersioningOptions());

    [Fact]
    public void Read_NothingSent_IsNone()
    {
        Assert.Equal(ApiVersionReadStatus.None, Reader.Read(Request(), out _));
    }

    [Fact]
    public void Read_HeaderQueryAndMediaType_Agreeing_IsFound()
    {
        var request = Request("?x=1&api-version=2.0");
        request.Headers["api-version"] = "2";
        request.Headers.Accept = "application/json; v=2.0";
        request.ContentType = "application/json; charset=utf-8; v=\"2.0\"";

        Assert.Equal(ApiVersionReadStatus.Found, Reader.Read(request, out var version));
        Assert.Equal(new ApiVersion(2, 0), version);
    }

    [Theory]
    [InlineData("?api-version=1.0", "2.0")]
    [InlineData("?api-version=1.0&api-version=2.0", null)]
    public void Read_Disagreeing_IsAmbiguous(string query, string? header)
    {
        var request = Request(query);
        if (header is not null)
        {
            request.Headers["api-version"] = header;
        }

        Assert.Equal(ApiVersionReadStatus.Ambiguous, Reader.Read(request, out _));
    }

    [Fact]
    public void Read_Malformed_IsInvalid_AndDescribed()
    {
        var request = Request();
        request.Headers["api-version"] = "2.0, nope";

        Assert.Equal(ApiVersionReadStatus.Invalid, Reader.Read(request, out _));
        Assert.Equal("nope", Reader.DescribeInvalid(request));
    }

    [Fact]
    public void Read_QueryParameterThatOnlyStartsWithTheName_IsIgnored()
    {
        Assert.Equal(ApiVersionReadStatus.None, Reader.Read(Request("?api-versions=9&xapi-version=9"), out _));
    }

    private static HttpRequest Request(string query = "")
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);
        return context.Request;
    }
}

using System.Net;
using System.Text;
using System.Text.Json;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Microservice.Kit.Tests.Problems;

/// <summary>
/// Regression: a JSON body whose Content-Type names a charset .NET does not know made minimal APIs throw an
/// InvalidOperationException that the kit answered with a 500. Found by the hostile-request corpus.
/// </summary>
public sealed class BodyCharsetTests
{
    [Theory]
    [InlineData("application/json; charset=nonsense", 415)]
    [InlineData("application/json; charset=\"\"", 415)]
    [InlineData("application/json; charset=utf-16", 400)]
    [InlineData("application/json; charset=utf-8", 200)]
    [InlineData("application/json; charset=utf-7", 415)]
    [InlineData("application/json; charset=UTF-7", 415)]
    [InlineData("application/json; charset=\"utf-7\"", 415)]
    [InlineData("application/json; charset=\"nonsense\"", 415)]
    [InlineData("application/json; charset=\"utf 8\"", 415)]
    public async Task JsonBody_WithCharset_IsAnsweredWithoutA500(string contentType, int expected)
    {
        await using var host = await KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit(),
            app =>
            {
                app.UseMicroserviceKit();
                app.MapPost("/echo", (Body body) => Results.Ok(body));
            });
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"name\":\"Ada\"}"));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await host.Client.PostAsync(new Uri("/echo", UriKind.Relative), content);

        Assert.Equal(expected, (int)response.StatusCode);
        if (expected >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(expected, problem.RootElement.GetProperty("status").GetInt32());
        }
    }

    // RFC 9110 §8.3.1 gives charset="utf-8" as equivalent to charset=utf-8; ASP.NET Core looked up "\"utf-8\"".
    [Theory]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/json;charset=\"UTF-8\"")]
    [InlineData("application/json; CHARSET=\"Utf-8\"")]
    [InlineData("application/json; charset=\"utf\\-8\"")]
    [InlineData("application/json; foo=\"a;b\"; charset=\"utf-8\"")]
    [InlineData("application/json; charset=utf-8; charset=\"utf-8\"")]
    [InlineData("application/json; charset=\"utf-8\"; charset=utf-8")]
    public async Task JsonBody_QuotedUtf8Charset_IsRead(string contentType)
    {
        await using var host = await StartEchoAsync();

        using var response = await PostAsync(host, contentType);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var echoed = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Ada", echoed.RootElement.GetProperty("name").GetString());
    }

    // Two charsets are ambiguous: a proxy in front may decode by the other one.
    [Theory]
    [InlineData("application/json; charset=utf-8; charset=utf-16")]
    [InlineData("application/json; charset=\"utf-16\"; charset=\"utf-8\"")]
    public async Task JsonBody_TwoDifferentCharsets_Is415(string contentType)
    {
        await using var host = await StartEchoAsync();

        using var response = await PostAsync(host, contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("UnsupportedMediaType", problem.RootElement.GetProperty("code").GetString());
    }

    private static Task<KestrelTestHost> StartEchoAsync() => KestrelTestHost.StartAsync(
        builder => builder.AddMicroserviceKit(),
        app =>
        {
            app.UseMicroserviceKit();
            app.MapPost("/echo", (Body body) => Results.Ok(body));
        });

    private static async Task<HttpResponseMessage> PostAsync(KestrelTestHost host, string contentType)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"name\":\"Ada\"}"));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return await host.Client.PostAsync(new Uri("/echo", UriKind.Relative), content);
    }

    internal sealed record Body(string? Name);
}

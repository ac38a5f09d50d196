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

    internal sealed record Body(string? Name);
}

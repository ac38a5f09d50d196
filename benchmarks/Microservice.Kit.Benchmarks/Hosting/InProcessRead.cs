using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Benchmarks.Hosting;

/// <summary>What the in-process HTTP benchmarks share: a TestServer host, and the read <c>GET /api/v1/employees/{id}</c>.</summary>
internal static class InProcessRead
{
    /// <summary>A Production host on TestServer without logging providers, configured and mapped by the caller.</summary>
    public static WebApplication Create(Action<WebApplicationBuilder> configure, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        configure(builder);
        var app = builder.Build();
        map(app);
        return app;
    }

    /// <summary>Reads employee <paramref name="id"/> whole, with the bearer header when given; returns the status code.</summary>
    public static async Task<int> SendAsync(HttpClient client, int id, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/employees/" + id);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request);
        await response.Content.CopyToAsync(Stream.Null);
        return (int)response.StatusCode;
    }
}

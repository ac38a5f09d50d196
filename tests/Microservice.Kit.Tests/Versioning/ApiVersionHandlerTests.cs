using System.Collections.Concurrent;
using System.Net;
using Microservice.Kit.Tests.Infrastructure;
using Microservice.Kit.Versioning;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Microservice.Kit.Tests.Versioning;

public sealed class ApiVersionHandlerTests
{
    [Fact]
    public async Task Client_Understanding3_2_1_NegotiatesDownTo2_AgainstAServerSupporting1And2()
    {
        var sent = new ConcurrentQueue<string>();
        await using var server = await StartServerAsync(sent);
        using var services = Client(server, o => o.Versions = ["3.0", "2.0", "1.0"]);
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("employees");

        using var first = await client.GetAsync(new Uri("api/ping", UriKind.Relative));
        using var second = await client.GetAsync(new Uri("api/ping", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("2.0", await first.Content.ReadAsStringAsync());
        Assert.Equal("2.0", await second.Content.ReadAsStringAsync());

        // 3.0 once (rejected, retried with 2.0), then straight to 2.0: the server's versions are cached.
        Assert.Equal(["3.0", "2.0", "2.0"], sent);
        var discovery = services.GetRequiredService<ApiVersionDiscovery>();
        Assert.Equal([new ApiVersion(1, 0), new ApiVersion(2, 0)], discovery.GetSupportedVersions(server.BaseAddress));
    }

    [Fact]
    public async Task NoCommonVersion_ReturnsTheServersRejection()
    {
        var sent = new ConcurrentQueue<string>();
        await using var server = await StartServerAsync(sent);
        using var services = Client(server, o => o.Versions = ["4.0", "3.0"]);
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("employees");

        using var response = await client.GetAsync(new Uri("api/ping", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("UnsupportedApiVersion", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["4.0"], sent);
    }

    [Fact]
    public async Task Negotiate_Off_DoesNotRetry()
    {
        var sent = new ConcurrentQueue<string>();
        await using var server = await StartServerAsync(sent);
        using var services = Client(server, o =>
        {
            o.Versions = ["3.0", "2.0"];
            o.Negotiate = false;
        });
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("employees");

        using var response = await client.GetAsync(new Uri("api/ping", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(sent);
    }

    [Fact]
    public async Task UrlSegment_ReplacesThePlaceholder_AndNegotiates()
    {
        await using var server = await StartServerAsync(new ConcurrentQueue<string>());
        using var services = Client(server, o =>
        {
            o.Versions = ["3.0", "2.0"];
            o.Location = ApiVersionLocation.UrlSegment;
        });
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("employees");

        using var response = await client.GetAsync(new Uri("api/v{version}/ping", UriKind.Relative));

        Assert.Equal("2.0", await response.Content.ReadAsStringAsync());
        Assert.EndsWith("/api/v2/ping", response.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_WritesTheParameter_ReplacingAnyGiven()
    {
        await using var server = await StartServerAsync(new ConcurrentQueue<string>());
        using var services = Client(server, o =>
        {
            o.Versions = ["2.0"];
            o.Location = ApiVersionLocation.Query;
        });
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("employees");

        using var response = await client.GetAsync(new Uri("api/ping?a=1&api-version=1.0", UriKind.Relative));

        Assert.Equal("2.0", await response.Content.ReadAsStringAsync());
        Assert.Equal("?a=1&api-version=2.0", response.RequestMessage!.RequestUri!.Query);
    }

    [Fact]
    public async Task DeprecatedApi_IsReportedOnce_ByLogCallbackAndEvent()
    {
        await using var server = await StartServerAsync(new ConcurrentQueue<string>());
        var callbacks = new List<ApiDeprecationEventArgs>();
        var events = new List<ApiDeprecationEventArgs>();
        var logs = new FakeLogCollector();
        using var services = Client(server, o =>
        {
            o.Versions = ["1.0"];
            o.OnDeprecated = callbacks.Add;
        }, logs: logs);
        services.GetRequiredService<ApiVersionDiscovery>().Deprecated += (_, e) => events.Add(e);
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("employees");

        (await client.GetAsync(new Uri("api/ping", UriKind.Relative))).Dispose();
        (await client.GetAsync(new Uri("api/ping", UriKind.Relative))).Dispose();

        var notice = Assert.Single(callbacks);
        Assert.Single(events);
        Assert.Equal(new ApiVersion(1, 0), notice.Version);
        Assert.Equal(VersionedApp.DeprecatedOn, notice.DeprecatedOn);
        Assert.Equal(VersionedApp.SunsetOn, notice.Sunset);
        Assert.False(notice.IsPastSunset);
        Assert.Equal(server.BaseAddress.GetLeftPart(UriPartial.Authority), notice.Service.GetLeftPart(UriPartial.Authority));
        var log = Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "DeprecatedApiCalled");
        Assert.Equal(LogLevel.Warning, log.Level);
    }

    [Fact]
    public async Task PastSunset_IsReportedAsSuch()
    {
        await using var server = await StartServerAsync(new ConcurrentQueue<string>());
        var callbacks = new List<ApiDeprecationEventArgs>();
        var logs = new FakeLogCollector();
        var time = new FakeTimeProvider(VersionedApp.SunsetOn.AddDays(1));
        using var services = Client(server, o =>
        {
            o.Versions = ["1.0"];
            o.OnDeprecated = callbacks.Add;
        }, time, logs);
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("employees");

        (await client.GetAsync(new Uri("api/ping", UriKind.Relative))).Dispose();

        Assert.True(Assert.Single(callbacks).IsPastSunset);
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Name == "SunsetApiCalled" && r.Level == LogLevel.Error);
    }

    [Fact]
    public async Task CurrentVersion_IsNotReported()
    {
        await using var server = await StartServerAsync(new ConcurrentQueue<string>());
        var callbacks = new List<ApiDeprecationEventArgs>();
        using var services = Client(server, o =>
        {
            o.Versions = ["2.0"];
            o.OnDeprecated = callbacks.Add;
        });
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("employees");

        (await client.GetAsync(new Uri("api/ping", UriKind.Relative))).Dispose();

        Assert.Empty(callbacks);
    }

    [Fact]
    public void Options_WithoutVersions_FailWithAMessage()
    {
        var error = Assert.Throws<ArgumentException>(() => new ApiVersionHandler(new ApiVersionClientOptions(), new ApiVersionDiscovery(TimeProvider.System), null));

        Assert.Contains("Versions names no version", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ApiVersionHandler(new ApiVersionClientOptions { Versions = ["x"] }, new ApiVersionDiscovery(TimeProvider.System), null));
    }

    [Fact]
    public void ClientOptions_Defaults_AreTheDocumentedOnes()
    {
        var options = new ApiVersionClientOptions();

        Assert.Empty(options.Versions);
        Assert.Equal(ApiVersionLocation.Header, options.Location);
        Assert.Equal("api-version", options.ParameterName);
        Assert.True(options.Negotiate);
        Assert.Null(options.OnDeprecated);
    }

    private static ServiceProvider Client(KestrelTestHost server, Action<ApiVersionClientOptions> configure, TimeProvider? time = null, FakeLogCollector? logs = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            if (logs is not null)
            {
                logging.AddProvider(new FakeLoggerProvider(logs));
            }
        });
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddHttpClient("employees", c => c.BaseAddress = server.BaseAddress).AddApiVersion(configure);
        return services.BuildServiceProvider();
    }

    private static Task<KestrelTestHost> StartServerAsync(ConcurrentQueue<string> sent) =>
        KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit().AddApiVersioning(o => o.Deprecations.Add(new ApiVersionDeprecationOptions
            {
                Version = "1.0",
                Date = VersionedApp.DeprecatedOn,
                Sunset = VersionedApp.SunsetOn,
            })),
            app =>
            {
                app.Use((context, next) =>
                {
                    if (context.Request.Headers.TryGetValue("api-version", out var value))
                    {
                        sent.Enqueue(value.ToString());
                    }

                    return next(context);
                });
                app.UseMicroserviceKit();
                VersionedApp.MapEmployees(app);
            });
}

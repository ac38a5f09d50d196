using System.Collections.Concurrent;
using System.Security.Claims;
using Microservice.Kit.Clients;
using Microservice.Kit.Tests.Infrastructure;
using Microservice.Kit.Tests.Versioning;
using Microservice.Kit.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tests.Clients;

/// <summary>The service client composed with the Versioning and Tokens features, as a calling service uses it.</summary>
public sealed class ServiceClientIntegrationTests
{
    private const string Secret = "integration-test-secret-of-at-least-32-bytes!";

    [Fact]
    public async Task ApiVersionConfigured_NegotiatesDownTo2_AgainstAServerSupporting1And2()
    {
        var sent = new ConcurrentQueue<string>();
        await using var server = await StartVersionedServerAsync(sent);
        await using var harness = ClientTestHarness.Create(server.BaseAddress, o => o.ApiVersion.Versions = ["3.0", "2.0", "1.0"]);

        var first = await PingAsync(harness.Client);
        var second = await PingAsync(harness.Client);

        Assert.Equal("2.0", first);
        Assert.Equal("2.0", second);
        Assert.Equal(["3.0", "2.0", "2.0"], sent);
    }

    [Fact]
    public async Task ApiVersionNotConfigured_SendsNoVersion()
    {
        var sent = new ConcurrentQueue<string>();
        await using var server = await StartVersionedServerAsync(sent);
        await using var harness = ClientTestHarness.Create(server.BaseAddress);

        var version = await PingAsync(harness.Client);

        Assert.Equal("1.0", version);
        Assert.Equal([string.Empty], sent);
    }

    [Fact]
    public void ApiVersion_Malformed_FailsValidationNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MicroserviceKit:Clients:employees:BaseAddress"] = "http://127.0.0.1:5080/",
            ["MicroserviceKit:Clients:employees:ApiVersion:Versions:0"] = "2.0",
            ["MicroserviceKit:Clients:employees:ApiVersion:Versions:1"] = "two",
        }).Build();
        var services = new ServiceCollection();
        services.AddMicroserviceKit(configuration.GetSection("MicroserviceKit")).AddServiceClient("employees");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get("employees"));

        Assert.Contains("MicroserviceKit:Clients:employees:ApiVersion:Versions:1 ('two') is not an API version", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddIssuedToken_CallsAPermissionProtectedEndpointWithItsOwnToken()
    {
        await using var service = await KestrelTestHost.StartAsync(
            builder =>
            {
                builder.AddMicroserviceKit(o => o.ServiceName = "reports")
                    .AddTokenValidation(UseSecret)
                    .AddTokenIssuer(UseSecret);
            },
            app =>
            {
                app.UseMicroserviceKit();
                app.MapGet("/reports", (ClaimsPrincipal user) => Results.Ok(new Dictionary<string, string?> { ["subject"] = user.FindFirst("sub")?.Value ?? user.Identity?.Name }))
                    .RequirePermission("reports.read");
            });
        await using var harness = ClientTestHarness.Create(
            service.BaseAddress,
            client: b => b.AddIssuedToken(new TokenRequest("nightly-job") { Permissions = ["reports.read"] }),
            services: s =>
            {
                // The calling service issues tokens that the called one accepts (one HS256 secret here; a fleet uses ES256 + JWKS).
                s.AddMicroserviceKit(o => o.ServiceName = "reports").AddTokenIssuer(UseSecret);
                s.AddSingleton<IHostEnvironment>(new TestEnvironment());
            });

        var first = await harness.Client.GetAsync<Dictionary<string, string?>>("/reports");
        var second = await harness.Client.GetAsync<Dictionary<string, string?>>("/reports");

        Assert.Equal("nightly-job", first["subject"]);
        Assert.Equal("nightly-job", second["subject"]);
    }

    [Fact]
    public async Task AddIssuedToken_WithoutATokenIssuer_IsATokenUnavailableFailureNamingTheMissingCall()
    {
        await using var service = await TestService.StartAsync(app => app.MapGet("/reports", () => "never"));
        await using var harness = ClientTestHarness.Create(
            service.BaseAddress,
            client: b => b.AddIssuedToken(new TokenRequest("nightly-job")));

        var error = await Record.ExceptionAsync(() => harness.Client.GetAsync<string>("/reports"));

        Assert.NotNull(error);
        Assert.Contains("AddTokenIssuer()", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A server supporting 1.0 and 2.0 that records the <c>api-version</c> header of every request.</summary>
    private static Task<KestrelTestHost> StartVersionedServerAsync(ConcurrentQueue<string> sent) => KestrelTestHost.StartAsync(
        builder => builder.AddMicroserviceKit().AddApiVersioning(o => o.SupportedVersions = ["1.0", "2.0"]),
        app =>
        {
            app.Use((context, next) =>
            {
                sent.Enqueue(context.Request.Headers["api-version"].ToString());
                return next(context);
            });
            app.UseMicroserviceKit();
            VersionedApp.MapEmployees(app);
        });

    private static async Task<string> PingAsync(ServiceClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/ping");
        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    private static void UseSecret(TokenOptions options)
    {
        options.Algorithm = TokenSigningAlgorithm.HS256;
        options.Secret = Secret;
        options.Issuer = "reports";
        options.Audience = "reports";
    }

    private sealed class TestEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";

        public string ApplicationName { get; set; } = "reports";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}

using System.Net;
using Microservice.Kit.Clients;
using Microservice.Kit.Tests.Infrastructure;
using Microservice.Kit.Tests.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Microservice.Kit.Tests.Clients;

/// <summary>A service client that obtains its own token from a kit token endpoint (client credentials), on a real server.</summary>
public sealed class ClientCredentialsTokenSourceTests
{
    [Fact]
    public async Task GetToken_ConcurrentCallers_ShareOneRequest_AndRenewBeforeExpiry()
    {
        var requests = 0;
        await using var issuer = await StartIssuerAsync(() => Interlocked.Increment(ref requests));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var http = new HttpClient();
        var source = new ClientCredentialsTokenSource(() => http, Options(issuer), time);

        var tokens = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => source.GetTokenAsync(CancellationToken.None).AsTask()));
        var again = await source.GetTokenAsync(CancellationToken.None);

        Assert.Single(tokens.Distinct());
        Assert.Equal(tokens[0], again);
        Assert.Equal(1, Volatile.Read(ref requests));

        // Inside the last 30 seconds of the hour-long token a new one is obtained.
        time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(20));
        var renewed = await source.GetTokenAsync(CancellationToken.None);

        Assert.NotEqual(tokens[0], renewed);
        Assert.Equal(2, Volatile.Read(ref requests));
    }

    [Fact]
    public async Task GetToken_WrongSecret_FailsNamingTheOAuthErrorButNotTheSecret()
    {
        await using var issuer = await StartIssuerAsync();
        using var http = new HttpClient();
        var options = Options(issuer);
        options.ClientSecret = "wrong-secret-0123456789";
        var source = new ClientCredentialsTokenSource(() => http, options);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => source.GetTokenAsync(CancellationToken.None).AsTask());

        Assert.Contains("invalid_client", error.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.DoesNotContain("wrong-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseClientCredentials_ServiceClientCallsWithItsOwnToken()
    {
        await using var issuer = await StartIssuerAsync();
        await using var harness = ClientTestHarness.Create(issuer.BaseAddress, client: b => b.UseClientCredentials(o =>
        {
            var options = Options(issuer);
            (o.TokenEndpoint, o.ClientId, o.ClientSecret, o.Scope) = (options.TokenEndpoint, options.ClientId, options.ClientSecret, "emp.create");
        }));

        var who = await harness.Client.GetAsync<Dictionary<string, string>>("/employees");

        Assert.Equal(ClientCredentialsGrantTests.ClientId, who["subject"]);
    }

    [Fact]
    public async Task UseClientCredentials_MissingSettings_FailValidationNamingTheKeys()
    {
        await using var harness = ClientTestHarness.Create(new Uri("http://127.0.0.1:1/"), client: b => b.UseClientCredentials());

        var error = Assert.Throws<OptionsValidationException>(() => harness.Provider.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get(harness.Name));

        Assert.Contains(error.Failures, f => f.Contains("MicroserviceKit:Clients:employees:Token:ClientCredentials:TokenEndpoint", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("MicroserviceKit:Clients:employees:Token:ClientCredentials:ClientSecret", StringComparison.Ordinal));
    }

    private static ClientCredentialsTokenOptions Options(KestrelTestHost issuer) => new()
    {
        TokenEndpoint = new Uri(issuer.BaseAddress, "/tokens"),
        ClientId = ClientCredentialsGrantTests.ClientId,
        ClientSecret = ClientCredentialsGrantTests.Secret,
    };

    private static Task<KestrelTestHost> StartIssuerAsync(Action? onTokenRequest = null) => KestrelTestHost.StartAsync(
        builder => builder.AddMicroserviceKit(options => options.ServiceName = TokenTestHost.Issuer)
            .AddTokenValidation(options => options.Clients[ClientCredentialsGrantTests.ClientId] = new Microservice.Kit.Tokens.TokenClientOptions
            {
                SecretHash = ClientCredentialsGrantTests.SecretHash,
                Permissions = ["emp.create"],
            })
            .AddTokenIssuer(),
        app =>
        {
            app.Use((HttpContext context, RequestDelegate next) =>
            {
                if (context.Request.Path == "/tokens")
                {
                    onTokenRequest?.Invoke();
                }

                return next(context);
            });
            app.UseMicroserviceKit();
            app.MapTokenEndpoint("/tokens", () => Results.BadRequest());
            app.MapGet("/employees", (System.Security.Claims.ClaimsPrincipal user) => new Dictionary<string, string> { ["subject"] = user.Identity!.Name! }).RequirePermission("emp.create");
        });
}

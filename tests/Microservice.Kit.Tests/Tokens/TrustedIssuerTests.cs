using System.Net;
using System.Security.Claims;
using Microservice.Kit.Tests.Infrastructure;
using Microservice.Kit.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tests.Tokens;

/// <summary>A service that issues its own tokens and accepts another service's at once (issue 22).</summary>
public sealed class TrustedIssuerTests
{
    [Fact]
    public async Task Service_IssuingItsOwnTokens_AcceptsThemAndATrustedIssuersTokensAtOnce()
    {
        await using var employees = await TokenTestHost.StartAsync();          // iss = aud = employees, ES256, its JWKS
        await using var departments = await StartDepartmentsAsync(employees);

        var own = departments.Services.GetRequiredService<ITokenIssuer>().Issue(new TokenRequest("dora") { Permissions = ["dept.read"] }).AccessToken;
        var foreign = employees.Issue("dept.read");

        Assert.Equal("departments dora dept.read", await WhoAsync(departments, own));
        Assert.Equal("employees alice dept.read", await WhoAsync(departments, foreign));
        // Each again: the second answer comes from the validated-token cache, which must remember whose token it was.
        Assert.Equal("departments dora dept.read", await WhoAsync(departments, own));
        Assert.Equal("employees alice dept.read", await WhoAsync(departments, foreign));
    }

    [Fact]
    public async Task TrustedIssuer_TokenForAnAudienceNotListed_Is401()
    {
        await using var employees = await TokenTestHost.StartAsync();
        await using var departments = await StartDepartmentsAsync(employees, audiences: ["kit-samples"]);

        using var response = await departments.Client.SendAsync(TokenTestHost.Get("/who", employees.Issue("dept.read")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UntrustedIssuer_SameIssNameButOtherKeys_Is401()
    {
        await using var employees = await TokenTestHost.StartAsync();
        await using var impostor = await TokenTestHost.StartAsync();          // also says iss = employees, with keys of its own
        await using var departments = await StartDepartmentsAsync(employees);

        using var response = await departments.Client.SendAsync(TokenTestHost.Get("/who", impostor.Issue("dept.read")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TrustedIssuer_ClaimingTheLocalIssuer_CannotUseTheLocalKeys()
    {
        // A token signed by the trusted issuer but naming this service as iss is checked with this service's keys: refused.
        await using var employees = await TokenTestHost.StartAsync(options => options.Issuer = "departments");
        await using var other = await TokenTestHost.StartAsync();
        await using var departments = await StartDepartmentsAsync(other);

        using var response = await departments.Client.SendAsync(TokenTestHost.Get("/who", employees.Issue("dept.read")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TrustedIssuers_FromConfiguration_BindAndValidate()
    {
        await using var employees = await TokenTestHost.StartAsync();
        await using var departments = await KestrelTestHost.StartAsync(
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["MicroserviceKit:ServiceName"] = "departments",
                    ["MicroserviceKit:Tokens:TrustedIssuers:employees:Issuer"] = TokenTestHost.Issuer,
                    ["MicroserviceKit:Tokens:TrustedIssuers:employees:JwksUrl"] = new Uri(employees.BaseAddress, TokenDefaults.JwksPath).ToString(),
                    ["MicroserviceKit:Tokens:TrustedIssuers:employees:Audiences:0"] = "other",
                    ["MicroserviceKit:Tokens:TrustedIssuers:employees:Audiences:1"] = TokenTestHost.Issuer,
                });
                builder.AddMicroserviceKit().AddTokenValidation();     // validates only: no local keys are trusted
            },
            MapWho);

        Assert.Equal("employees alice dept.read", await WhoAsync(departments, employees.Issue("dept.read")));
    }

    public static TheoryData<string, Dictionary<string, string?>, bool, string> Contradictions => new()
    {
        {
            "issuing with JwksUrl", new() { ["MicroserviceKit:Tokens:JwksUrl"] = "http://127.0.0.1:1/.well-known/jwks.json" }, true,
            "MicroserviceKit:Tokens:JwksUrl is set, but this service also issues tokens (AddTokenIssuer)"
        },
        {
            "trusted issuer equal to the local one", Trusted("a", "departments", "http://127.0.0.1:1/jwks.json", "departments"), true,
            "MicroserviceKit:Tokens:TrustedIssuers:a:Issuer is 'departments', which MicroserviceKit:Tokens:Issuer already trusts"
        },
        {
            "two trusted issuers with one iss",
            new(Trusted("a", "employees", "http://127.0.0.1:1/jwks.json", "x").Concat(Trusted("b", "employees", "http://127.0.0.1:2/jwks.json", "x"))), false,
            "MicroserviceKit:Tokens:TrustedIssuers:b:Issuer and MicroserviceKit:Tokens:TrustedIssuers:a:Issuer both name 'employees'"
        },
        {
            "no audience", Trusted("a", "employees", "http://127.0.0.1:1/jwks.json"), true,
            "MicroserviceKit:Tokens:TrustedIssuers:a:Audiences must name at least one audience"
        },
        {
            "no JWKS URL", new() { ["MicroserviceKit:Tokens:TrustedIssuers:a:Issuer"] = "employees", ["MicroserviceKit:Tokens:TrustedIssuers:a:Audiences:0"] = "x" }, true,
            "MicroserviceKit:Tokens:TrustedIssuers:a:JwksUrl is required"
        },
        {
            "JwksUrl with a secret", new() { ["MicroserviceKit:Tokens:JwksUrl"] = "http://127.0.0.1:1/jwks.json", ["MicroserviceKit:Tokens:Secret"] = new string('s', 40) }, false,
            "MicroserviceKit:Tokens:Secret is set together with MicroserviceKit:Tokens:JwksUrl"
        },
        {
            "clients without issuing", new() { ["MicroserviceKit:Tokens:Clients:library:SecretHash"] = ClientSecretHasher.Hash("library-secret-0123456789") }, false,
            "MicroserviceKit:Tokens:Clients:library registers a client, but this service does not issue tokens"
        },
        {
            "a clear secret instead of its hash", new() { ["MicroserviceKit:Tokens:Clients:library:SecretHash"] = "library-secret-0123456789" }, true,
            "MicroserviceKit:Tokens:Clients:library:SecretHash is not a PBKDF2 hash"
        },
    };

    [Theory]
    [MemberData(nameof(Contradictions))]
    public async Task Start_ContradictoryConfiguration_RefusesNamingTheSettings(string because, Dictionary<string, string?> settings, bool issue, string expected)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        settings["MicroserviceKit:ServiceName"] = "departments";
        builder.Configuration.AddInMemoryCollection(settings);
        var kit = builder.AddMicroserviceKit();
        if (issue)
        {
            kit.AddTokenIssuer();        // before validation on purpose: the order of the two calls must not matter
        }

        kit.AddTokenValidation();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.True(error.Failures.Any(f => f.Contains(expected, StringComparison.Ordinal)), because + ": " + string.Join(" | ", error.Failures));
    }

    private static Dictionary<string, string?> Trusted(string name, string issuer, string jwksUrl, params string[] audiences)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"MicroserviceKit:Tokens:TrustedIssuers:{name}:Issuer"] = issuer,
            [$"MicroserviceKit:Tokens:TrustedIssuers:{name}:JwksUrl"] = jwksUrl,
        };
        for (var i = 0; i < audiences.Length; i++)
        {
            settings[$"MicroserviceKit:Tokens:TrustedIssuers:{name}:Audiences:{i}"] = audiences[i];
        }

        return settings;
    }

    private static Task<KestrelTestHost> StartDepartmentsAsync(KestrelTestHost employees, string[]? audiences = null) => KestrelTestHost.StartAsync(
        builder => builder.AddMicroserviceKit(options => options.ServiceName = "departments")
            .AddTokenIssuer()
            .AddTokenValidation(options => options.TrustedIssuers["employees"] = new TrustedIssuerOptions
            {
                Issuer = TokenTestHost.Issuer,
                JwksUrl = new Uri(employees.BaseAddress, TokenDefaults.JwksPath).ToString(),
                Audiences = audiences ?? [TokenTestHost.Issuer],
            }),
        MapWho);

    private static void MapWho(WebApplication app)
    {
        app.UseMicroserviceKit();
        app.MapKitEndpoints();
        app.MapGet("/who", (ClaimsPrincipal user) =>
                $"{user.FindFirst("iss")?.Value} {user.Identity!.Name} {string.Join(',', user.FindAll(TokenDefaults.PermissionsClaim).Select(c => c.Value))}")
            .RequirePermission("dept.read");
    }

    private static async Task<string> WhoAsync(KestrelTestHost host, string token)
    {
        using var response = await host.Client.SendAsync(TokenTestHost.Get("/who", token));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return body;
    }
}

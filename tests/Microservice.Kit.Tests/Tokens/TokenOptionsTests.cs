using Microservice.Kit.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tests.Tokens;

public sealed class TokenOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new TokenOptions();

        Assert.Null(options.Issuer);
        Assert.Null(options.Audience);
        Assert.Equal(TimeSpan.FromHours(1), options.Lifetime);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ClockSkew);
        Assert.Equal(8192, options.MaxTokenSize);
        Assert.Equal(TokenSigningAlgorithm.ES256, options.Algorithm);
        Assert.Null(options.Secret);
        Assert.Null(options.KeyDirectory);
        Assert.Null(options.PrivateKeyPem);
        Assert.Null(options.JwksUrl);
        Assert.Equal(TimeSpan.FromMinutes(5), options.JwksRefreshInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.JwksMinimumRefreshInterval);
        Assert.Null(options.TokenHeader);
        Assert.Equal(10_000, options.CacheSize);
        Assert.Equal(TimeSpan.FromMinutes(10), options.KeyActivationDelay);
        Assert.Equal(TimeSpan.FromMinutes(1), options.KeyRingRefreshInterval);
    }

    [Fact]
    public void IssuerAndAudience_DefaultToTheServiceName()
    {
        var services = new ServiceCollection();
        services.AddMicroserviceKit(kit => kit.ServiceName = "employees").AddTokenValidation();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<TokenOptions>>().Value;

        Assert.Equal("employees", options.Issuer);
        Assert.Equal("employees", options.Audience);
    }

    [Theory]
    [InlineData("MicroserviceKit:Tokens:Secret", "only-31-bytes-long-secret-12345", "MicroserviceKit:Tokens:Secret must be at least 32 bytes for HS256")]
    [InlineData("MicroserviceKit:Tokens:Secret", "", "MicroserviceKit:Tokens:Secret is required for HS256")]
    [InlineData("MicroserviceKit:Tokens:Lifetime", "00:00:01", "MicroserviceKit:Tokens:Lifetime")]
    [InlineData("MicroserviceKit:Tokens:JwksUrl", "not a url", "MicroserviceKit:Tokens:JwksUrl")]
    [InlineData("MicroserviceKit:Tokens:TokenHeader", "X Auth", "MicroserviceKit:Tokens:TokenHeader")]
    [InlineData("MicroserviceKit:Tokens:CacheSize", "-1", "MicroserviceKit:Tokens:CacheSize")]
    [InlineData("MicroserviceKit:Tokens:KeyActivationDelay", "00:06:00", "MicroserviceKit:Tokens:KeyActivationDelay (00:06:00) must be longer than MicroserviceKit:Tokens:JwksRefreshInterval plus MicroserviceKit:Tokens:KeyRingRefreshInterval (00:06:00)")]
    [InlineData("MicroserviceKit:Tokens:KeyRingRefreshInterval", "00:00:00", "MicroserviceKit:Tokens:KeyRingRefreshInterval")]
    public async Task Start_InvalidValue_FailsWithAMessageNamingTheKey(string key, string value, string expected)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var settings = new Dictionary<string, string?> { ["MicroserviceKit:ServiceName"] = "employees", [key] = value };
        if (key.EndsWith("Secret", StringComparison.Ordinal))
        {
            settings["MicroserviceKit:Tokens:Algorithm"] = "HS256";
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMicroserviceKit().AddTokenValidation().AddTokenIssuer();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(error.Failures, failure => failure.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddTokenValidation_CalledTwice_RegistersOneScheme()
    {
        var services = new ServiceCollection();
        var kit = services.AddMicroserviceKit(options => options.ServiceName = "employees");
        kit.AddTokenValidation().AddTokenValidation().AddTokenIssuer().AddTokenIssuer();
        using var provider = services.BuildServiceProvider();

        var schemes = provider.GetRequiredService<Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider>();

        Assert.Single(await schemes.GetAllSchemesAsync(), s => s.Name == TokenDefaults.AuthenticationScheme);
        Assert.NotNull(provider.GetRequiredService<ITokenValidator>());
    }

    [Fact]
    public async Task Start_UnusablePrivateKeyPem_FailsAtStart()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MicroserviceKit:ServiceName"] = "employees",
            ["MicroserviceKit:Tokens:PrivateKeyPem"] = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----",
        });
        builder.AddMicroserviceKit().AddTokenIssuer();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());

        Assert.True(error is ArgumentException or System.Security.Cryptography.CryptographicException, error.GetType().Name);
    }
}

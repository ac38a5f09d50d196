using Microservice.Kit.Clients;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tests.Clients;

public sealed class ServiceClientOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new ServiceClientOptions();

        Assert.Null(options.BaseAddress);
        Assert.Equal(TimeSpan.FromSeconds(10), options.AttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.TotalTimeout);
        Assert.Equal(3, options.Retry.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.Retry.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Retry.MaxDelay);
        Assert.True(options.Retry.UseJitter);
        Assert.True(options.Retry.HonorRetryAfter);
        Assert.Equal(32L * 1024 * 1024, options.Retry.MaxBufferedRequestBytes);
        Assert.Equal(0.5, options.CircuitBreaker.FailureRatio);
        Assert.Equal(20, options.CircuitBreaker.MinimumThroughput);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CircuitBreaker.SamplingDuration);
        Assert.Equal(TimeSpan.FromSeconds(5), options.CircuitBreaker.BreakDuration);
        Assert.Equal(ServiceClientTokenMode.None, options.Token.Mode);
        Assert.Null(options.Token.IncomingHeader); // follows TokenOptions.TokenHeader, so validation and propagation agree
        Assert.Equal("Authorization", options.Token.OutgoingHeader);
        Assert.Null(options.Token.ClientCredentials.TokenEndpoint);
        Assert.Null(options.Token.ClientCredentials.ClientId);
        Assert.Null(options.Token.ClientCredentials.ClientSecret);
        Assert.Null(options.Token.ClientCredentials.Scope);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Token.ClientCredentials.RefreshBefore);
        Assert.False(options.AddIdempotencyKey);
        Assert.Equal("X-Correlation-ID", options.CorrelationHeader);
        Assert.True(options.SerializerOptions.PropertyNameCaseInsensitive);
        Assert.True(options.SerializerOptions.RespectNullableAnnotations);
        Assert.True(options.SerializerOptions.RespectRequiredConstructorParameters);
        Assert.Equal(1024 * 1024, options.MaxResponseBufferBytes);
    }

    [Fact]
    public void Bind_ReadsMicroserviceKitClientsName()
    {
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["MicroserviceKit:Clients:employees:BaseAddress"] = "http://employees:8080/",
            ["MicroserviceKit:Clients:employees:AttemptTimeout"] = "00:00:02",
            ["MicroserviceKit:Clients:employees:Retry:MaxRetryAttempts"] = "5",
            ["MicroserviceKit:Clients:employees:CircuitBreaker:BreakDuration"] = "00:00:09",
            ["MicroserviceKit:Clients:employees:Token:Mode"] = "Propagate",
        });

        var options = host.Services.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get("employees");

        Assert.Equal(new Uri("http://employees:8080/"), options.BaseAddress);
        Assert.Equal(TimeSpan.FromSeconds(2), options.AttemptTimeout);
        Assert.Equal(5, options.Retry.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(9), options.CircuitBreaker.BreakDuration);
        Assert.Equal(ServiceClientTokenMode.Propagate, options.Token.Mode);
    }

    [Theory]
    [InlineData(null, null, "MicroserviceKit:Clients:employees:BaseAddress")]
    [InlineData("BaseAddress", "employees/api", "MicroserviceKit:Clients:employees:BaseAddress must be an absolute http or https address")]
    [InlineData("BaseAddress", "ftp://employees/", "MicroserviceKit:Clients:employees:BaseAddress must be an absolute http or https address")]
    [InlineData("AttemptTimeout", "00:01:00", "MicroserviceKit:Clients:employees:TotalTimeout (00:00:30) must not be less than MicroserviceKit:Clients:employees:AttemptTimeout")]
    [InlineData("Retry:MaxRetryAttempts", "50", "MicroserviceKit:Clients:employees:Retry:MaxRetryAttempts")]
    [InlineData("CircuitBreaker:FailureRatio", "2", "MicroserviceKit:Clients:employees:CircuitBreaker:FailureRatio")]
    [InlineData("Token:Mode", "Source", "MicroserviceKit:Clients:employees:Token:Mode is Source but no ITokenSource is registered")]
    [InlineData("Token:OutgoingHeader", "X Auth", "MicroserviceKit:Clients:employees:Token:OutgoingHeader")]
    [InlineData("MaxResponseBufferBytes", "0", "MicroserviceKit:Clients:employees:MaxResponseBufferBytes")]
    [InlineData("MaxResponseBufferBytes", "4294967296", "MicroserviceKit:Clients:employees:MaxResponseBufferBytes")]
    public async Task Start_InvalidOptions_FailsWithAMessageNamingTheFullKey(string? key, string? value, string expected)
    {
        var settings = new Dictionary<string, string?>();
        if (key is not null)
        {
            settings["MicroserviceKit:Clients:employees:BaseAddress"] = "http://employees:8080/";
            settings["MicroserviceKit:Clients:employees:" + key] = value;
        }

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMicroserviceKit().AddServiceClient("employees");
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(error.Failures, failure => failure.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void AddServiceClient_ConfigurationSection_NamesKeysUnderThatSection()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Downstream:Employees:AttemptTimeout"] = "00:00:01" })
            .Build();
        var services = new ServiceCollection();
        services.AddMicroserviceKit().AddServiceClient("employees", configuration.GetSection("Downstream:Employees"));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get("employees"));

        Assert.Contains("Downstream:Employees:BaseAddress", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddServiceClient_InvalidName_Throws()
    {
        var kit = new ServiceCollection().AddMicroserviceKit();

        var error = Assert.Throws<ArgumentException>(() => kit.AddServiceClient("employees:v2", _ => { }));

        Assert.Contains("letters, digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HttpClient_TimeoutIsInfinite_SoOnlyTheResilienceTimeoutsApply()
    {
        var services = new ServiceCollection();
        services.AddMicroserviceKit(o => o.ServiceName = "library").AddServiceClient("employees", o => o.BaseAddress = new Uri("http://employees:8080/"));
        using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredKeyedService<ServiceClient>("employees");

        Assert.Equal(Timeout.InfiniteTimeSpan, client.HttpClient.Timeout);
        Assert.Equal(new Uri("http://employees:8080/"), client.HttpClient.BaseAddress);
        Assert.Equal("library", client.HttpClient.DefaultRequestHeaders.UserAgent.ToString());
        Assert.Equal("employees", client.Name);
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMicroserviceKit().AddServiceClient("employees");
        return builder.Build();
    }
}

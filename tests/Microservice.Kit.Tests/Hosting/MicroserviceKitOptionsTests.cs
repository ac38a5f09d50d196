using Microservice.Kit.Clients;
using Microservice.Kit.Files;
using Microservice.Kit.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tests.Hosting;

public sealed class MicroserviceKitOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new MicroserviceKitOptions();

        Assert.Null(options.ServiceName);
        Assert.Equal("/health/live", options.Health.LivePath);
        Assert.Equal("/health/ready", options.Health.ReadyPath);
    }

    [Fact]
    public void ServiceName_DefaultsToTheApplicationName()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "Employees Service" });
        builder.AddMicroserviceKit();
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<MicroserviceKitOptions>>().Value;

        Assert.Equal("Employees-Service", options.ServiceName);
    }

    [Fact]
    public void Bind_ReadsTheMicroserviceKitSection()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MicroserviceKit:ServiceName"] = "employees",
            ["MicroserviceKit:Health:ReadyPath"] = "/ready",
        });
        builder.AddMicroserviceKit();
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<MicroserviceKitOptions>>().Value;

        Assert.Equal("employees", options.ServiceName);
        Assert.Equal("/ready", options.Health.ReadyPath);
    }

    [Theory]
    [InlineData("MicroserviceKit:ServiceName", "has spaces in it")]
    [InlineData("MicroserviceKit:Health:LivePath", "no-leading-slash")]
    [InlineData("MicroserviceKit:Health:ReadyPath", "")]
    public async Task Start_InvalidValue_FailsWithAMessageNamingTheFullKey(string key, string value)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.AddMicroserviceKit();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(error.Failures, failure => failure.StartsWith(key + " ", StringComparison.Ordinal) || failure.Contains("The " + key + " field", StringComparison.Ordinal));
    }

    [Fact]
    public void AddMicroserviceKit_Action_AppliesTheOptionsAndValidates()
    {
        var services = new ServiceCollection();
        services.AddMicroserviceKit(options => options.ServiceName = "bad name!");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MicroserviceKitOptions>>().Value);

        Assert.Contains("MicroserviceKit:ServiceName must be 1 to 64 letters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMicroserviceKit_ConfigurationSection_NamesKeysUnderThatSection()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Kit:Health:LivePath"] = "live" })
            .Build();
        var services = new ServiceCollection();
        services.AddMicroserviceKit(configuration.GetSection("Kit"));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MicroserviceKitOptions>>().Value);

        Assert.Contains("Kit:Health:LivePath must be a path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMicroserviceKit_CalledTwice_IsHarmless()
    {
        var services = new ServiceCollection();
        var first = services.AddMicroserviceKit();
        var count = services.Count;

        var second = services.AddMicroserviceKit();

        Assert.Same(services, first.Services);
        Assert.Same(services, second.Services);
        Assert.InRange(services.Count - count, 0, 3); // only the options binding is registered again
        Assert.Single(services, d => d.ServiceType == typeof(Microsoft.AspNetCore.Diagnostics.IExceptionHandler));
    }

    [Fact]
    public void ServicesAddMicroserviceKit_ConfigurationInstanceRegistered_BindsTheKitAndFeatureSections()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["MicroserviceKit:ServiceName"] = "worker",
                ["MicroserviceKit:Files:MaxUploadBytes"] = "1234",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMicroserviceKit().AddFileStore().UseInMemory();
        using var provider = services.BuildServiceProvider();

        Assert.Equal("worker", provider.GetRequiredService<IOptions<MicroserviceKitOptions>>().Value.ServiceName);
        Assert.Equal(1234, provider.GetRequiredService<IOptions<FileStoreOptions>>().Value.MaxUploadBytes);
    }

    [Fact]
    public void ServicesAddMicroserviceKit_InAHostBuilder_BindsTheHostConfigurationThenTheAction()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MicroserviceKit:ServiceName"] = "worker",
            ["MicroserviceKit:Health:LivePath"] = "/from-configuration",
            ["MicroserviceKit:Health:ReadyPath"] = "/ready",
            ["MicroserviceKit:Clients:employees:BaseAddress"] = "http://127.0.0.1:5080/",
            ["MicroserviceKit:Clients:employees:Retry:MaxRetryAttempts"] = "1",
        });
        builder.Services.AddMicroserviceKit(o => o.Health.LivePath = "/from-code").AddServiceClient("employees");
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<MicroserviceKitOptions>>().Value;
        var client = host.Services.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get("employees");

        Assert.Equal("worker", options.ServiceName);
        Assert.Equal("/ready", options.Health.ReadyPath);
        Assert.Equal("/from-code", options.Health.LivePath);
        Assert.Equal(new Uri("http://127.0.0.1:5080/"), client.BaseAddress);
        Assert.Equal(1, client.Retry.MaxRetryAttempts);
    }

    [Fact]
    public void ServicesAddMicroserviceKit_InAHostBuilder_InvalidValueNamesTheKey()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["MicroserviceKit:Health:LivePath"] = "live" });
        builder.Services.AddMicroserviceKit();
        using var host = builder.Build();

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<MicroserviceKitOptions>>().Value);

        Assert.Contains("MicroserviceKit:Health:LivePath must be a path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServicesAddMicroserviceKit_NoConfigurationRegistered_KeepsTheDefaults()
    {
        var services = new ServiceCollection();
        services.AddMicroserviceKit();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MicroserviceKitOptions>>().Value;

        Assert.Equal("/health/live", options.Health.LivePath);
        Assert.Equal("/health/ready", options.Health.ReadyPath);
    }
}

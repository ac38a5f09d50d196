using System.ComponentModel.DataAnnotations;
using Microservice.Kit.Data;
using Microservice.Kit.Data.Backends;
using Microservice.Kit.Hosting;
using Microservice.Kit.Tests.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tests.Hosting;

public sealed class MicroserviceKitBuilderExtensionsTests
{
    [Fact]
    public async Task AddStartupTask_RunsEachOnceInRegistrationOrderBeforeTheHostStarts()
    {
        var builder = Host.CreateApplicationBuilder();
        var order = new List<string>();
        builder.Services.AddSingleton(order);
        builder.AddMicroserviceKit().AddStartupTask<FirstTask>().AddStartupTask<SecondTask>().AddStartupTask<FirstTask>();
        using var host = builder.Build();

        await host.StartAsync();

        Assert.Equal(["first", "second"], order);
        await host.StopAsync();
    }

    [Fact]
    public async Task AddFeatureOptions_InvalidValue_StopsTheStartNamingTheFullKey()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["MicroserviceKit:Provider:Port"] = "0";
        var kit = builder.AddMicroserviceKit();
        kit.AddFeatureOptions<ProviderOptions>("Provider");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("MicroserviceKit:Provider:Port", error.Message, StringComparison.Ordinal);
        Assert.Equal("MicroserviceKit:Provider", kit.GetConfigurationKey("Provider"));
    }

    [Fact]
    public async Task AddReadinessCheck_SameNameTwice_IsAddedOnceWithTheReadyTag()
    {
        var services = new ServiceCollection();
        services.AddMicroserviceKit().AddReadinessCheck<HealthyCheck>("probe").AddReadinessCheck<HealthyCheck>("probe");
        await using var provider = services.BuildServiceProvider();

        var registration = Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations, r => r.Name == "probe");
        Assert.Contains(KitHealthTags.Ready, registration.Tags);
    }

    [Fact]
    public void AddDataBackend_AnotherBackendAfterLiteDb_Throws()
    {
        var kit = new ServiceCollection().AddMicroserviceKit().AddLiteDb(o => o.ConnectionString = ":memory:");

        var error = Assert.Throws<InvalidOperationException>(() => kit.AddDataBackend(_ => new NoBackend()));

        Assert.Contains("LiteDbBackend", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRepository_WithoutABackend_StopsTheStartNamingTheCalls()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddMicroserviceKit().AddRepository<Employee, int, EmployeeDefinition>();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("AddLiteDb()", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddPostgreSql()", error.Message, StringComparison.Ordinal);
    }

    public sealed class ProviderOptions
    {
        [Range(1, 65535)]
        public int Port { get; set; } = 5432;
    }

    private sealed class FirstTask(List<string> order) : IKitStartupTask
    {
        public Task RunAsync(CancellationToken cancellationToken)
        {
            order.Add("first");
            return Task.CompletedTask;
        }
    }

    private sealed class SecondTask(List<string> order) : IKitStartupTask
    {
        public Task RunAsync(CancellationToken cancellationToken)
        {
            order.Add("second");
            return Task.CompletedTask;
        }
    }

    private sealed class HealthyCheck : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(HealthCheckResult.Healthy());
    }

    private sealed class NoBackend : DataBackend
    {
        public override string Name => "none";

        public override RepositoryBackend<TEntity, TId> CreateRepository<TEntity, TId>(EntityModel<TEntity> model) =>
            throw new NotSupportedException();
    }
}

using System.Net;
using Microservice.Kit.Data;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tests.Data;

public sealed class LiteDbKitBuilderExtensionsTests
{
    [Fact]
    public void Options_Defaults_AreTheDocumentedOnes()
    {
        var options = new LiteDbOptions();

        Assert.Equal("Filename=data/app.db", options.ConnectionString);
        Assert.Equal(32, options.MaxConcurrentOperations);
        Assert.Equal(100, options.MaxPageSize);
    }

    [Theory]
    [InlineData("MicroserviceKit:LiteDb:MaxPageSize", "0", "MicroserviceKit:LiteDb:MaxPageSize")]
    [InlineData("MicroserviceKit:LiteDb:MaxConcurrentOperations", "101", "MicroserviceKit:LiteDb:MaxConcurrentOperations")]
    [InlineData("MicroserviceKit:LiteDb:ConnectionString", "Filename=x.db;Connection=shared", "MicroserviceKit:LiteDb:ConnectionString must use Connection=direct")]
    [InlineData("MicroserviceKit:LiteDb:ConnectionString", "Filename=x.db;Nonsense", "MicroserviceKit:LiteDb:ConnectionString is not a valid LiteDB connection string")]
    public async Task Start_InvalidOptions_FailsNamingTheKey(string key, string value, string expected)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.AddMicroserviceKit().AddLiteDb();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, failure => failure.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void AddLiteDb_BindsTheLiteDbSection()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MicroserviceKit:LiteDb:ConnectionString"] = ":memory:",
            ["MicroserviceKit:LiteDb:MaxPageSize"] = "50",
        });
        builder.AddMicroserviceKit().AddLiteDb();
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<LiteDbOptions>>().Value;

        Assert.Equal(":memory:", options.ConnectionString);
        Assert.Equal(50, options.MaxPageSize);
        Assert.Null(host.Services.GetRequiredService<LiteDbContext>().FilePath);
    }

    [Fact]
    public void AddLiteDb_ConfigurationSectionOfYourChoice_IsBound()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Db:MaxPageSize"] = "7", ["Db:ConnectionString"] = ":memory:" }).Build();
        var services = new ServiceCollection();
        services.AddMicroserviceKit().AddLiteDb(configuration.GetSection("Db"));
        using var provider = services.BuildServiceProvider();

        Assert.Equal(7, provider.GetRequiredService<IOptions<LiteDbOptions>>().Value.MaxPageSize);
    }

    [Fact]
    public async Task AddRepository_RegistersTheContractAsASingleton_AndTwiceIsHarmless()
    {
        var services = new ServiceCollection();
        var kit = services.AddMicroserviceKit();
        kit.AddLiteDb(o => o.ConnectionString = ":memory:").AddLiteDb(o => o.MaxPageSize = 20);
        kit.AddRepository<Employee, int, EmployeeDefinition>().AddRepository<Employee, int, EmployeeDefinition>();
        await using var provider = services.BuildServiceProvider();

        var repository = provider.GetRequiredService<IRepository<Employee, int>>();
        var contract = provider.GetRequiredService<IRepository<Employee, int>>();
        await contract.AddAsync(new Employee { Name = "a", Address = "b" });

        Assert.Same(repository, contract);
        Assert.Single(provider.GetServices<IRepository<Employee, int>>());
        Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations, r => r.Name == "litedb");
        Assert.Equal(20, provider.GetRequiredService<IOptions<LiteDbOptions>>().Value.MaxPageSize);
        Assert.Equal(1, await repository.CountAsync());
    }

    [Fact]
    public async Task Start_CreatesEveryRepositoryAndItsIndexesBeforeTheFirstRequest()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddMicroserviceKit().AddLiteDb(o => o.ConnectionString = ":memory:").AddRepository<User, int, UserDefinition>();
        using var host = builder.Build();

        await host.StartAsync();

        var indexes = host.Services.GetRequiredService<LiteDbContext>().Database.GetCollection("$indexes").Find("collection = 'User'").Select(d => d["name"].AsString);
        Assert.Contains("Username", indexes);
        await host.StopAsync();
    }

    [Fact]
    public async Task ReadyEndpoint_IsHealthyWhileTheDatabaseIsOpen()
    {
        await using var host = await KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit().AddLiteDb(o => o.ConnectionString = ":memory:"),
            app =>
            {
                app.UseMicroserviceKit();
                app.MapKitEndpoints();
            });

        var response = await host.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var check = host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Single(r => r.Name == "litedb");
        Assert.Contains("ready", check.Tags);
    }

    [Fact]
    public async Task HealthCheck_DatabaseClosed_IsUnhealthy()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMicroserviceKit().AddLiteDb(o => o.ConnectionString = ":memory:");
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<LiteDbContext>().Dispose();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, report.Entries["litedb"].Status);
    }

    [Fact]
    public async Task Shutdown_CheckpointsTheLogAndClosesTheFile()
    {
        var directory = Directory.CreateTempSubdirectory("kit-data-lifetime-");
        var path = Path.Combine(directory.FullName, "nested", "app.db");
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.AddMicroserviceKit().AddLiteDb(o => o.ConnectionString = "Filename=" + path).AddRepository<Employee, int, EmployeeDefinition>();
            using (var host = builder.Build())
            {
                await host.StartAsync();
                await host.Services.GetRequiredService<IRepository<Employee, int>>().AddAsync(new Employee { Name = "kept", Address = "x" });
                Assert.True(new FileInfo(Path.Combine(directory.FullName, "nested", "app-log.db")).Length > 0);
                await host.StopAsync();
            }

            Assert.False(File.Exists(Path.Combine(directory.FullName, "nested", "app-log.db")), "the log file must be checkpointed into the data file and removed");
            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            Assert.True(stream.Length > 0);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TwoContextsOnOneFile_ShareOneDatabaseUntilTheLastIsDisposed()
    {
        var directory = Directory.CreateTempSubdirectory("kit-data-shared-");
        var path = Path.Combine(directory.FullName, "shared.db");
        try
        {
            var first = new LiteDbContext(new LiteDbOptions { ConnectionString = path });
            var second = new LiteDbContext(new LiteDbOptions { ConnectionString = "Filename=" + path });

            Assert.Same(first.Database, second.Database);
            await TestRepositories.Employees(first).AddAsync(new Employee { Name = "a", Address = "b" });
            first.Dispose();
            Assert.Equal(1, await TestRepositories.Employees(second).CountAsync());
            second.Dispose();

            using var third = new LiteDbContext(new LiteDbOptions { ConnectionString = path });
            Assert.NotSame(first.Database, third.Database);
            Assert.Equal(1, await TestRepositories.Employees(third).CountAsync());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

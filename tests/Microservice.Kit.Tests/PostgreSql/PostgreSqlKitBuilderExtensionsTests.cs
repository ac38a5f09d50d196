using System.Net;
using System.Net.Sockets;
using Microservice.Kit.PostgreSql;
using Microservice.Kit.PostgreSql.Internal;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microservice.Kit.Tests.PostgreSql;

public sealed class PostgreSqlKitBuilderExtensionsTests
{
    private const string Secret = "Sup3r-Secret-Pa55";

    [Fact]
    public void Options_Defaults_AreTheDocumentedOnes()
    {
        var options = new PostgreSqlOptions();

        Assert.Null(options.ConnectionString);
        Assert.Equal("public", options.Schema);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CommandTimeout);
        Assert.True(options.MigrateOnStart);
        Assert.Equal(100, options.MaxPageSize);
    }

    [Theory]
    [InlineData(null, null, "ConnectionStrings:Employees (or MicroserviceKit:PostgreSql:Employees:ConnectionString) must hold")]
    [InlineData("ConnectionStrings:Employees", "Host=db;Password=" + Secret + ";Port=not-a-port", "ConnectionStrings:Employees is not a valid Npgsql connection string: the value of 'port'")]
    [InlineData("ConnectionStrings:Employees", "Host=db;Password=" + Secret + ";tail=x", "ConnectionStrings:Employees is not a valid Npgsql connection string: it holds a keyword Npgsql does not know")]
    [InlineData("ConnectionStrings:Employees", "Password=" + Secret, "it names no Host")]
    [InlineData("MicroserviceKit:PostgreSql:Employees:Schema", "bad-schema", "MicroserviceKit:PostgreSql:Employees:Schema must be")]
    [InlineData("MicroserviceKit:PostgreSql:Employees:CommandTimeout", "00:00:00.500", "MicroserviceKit:PostgreSql:Employees:CommandTimeout must be whole seconds")]
    [InlineData("MicroserviceKit:PostgreSql:Employees:MaxPageSize", "0", "MicroserviceKit:PostgreSql:Employees:MaxPageSize must be between 1 and 10000")]
    public async Task Start_InvalidOptions_FailsNamingTheKeyAndNeverThePassword(string? key, string? value, string expected)
    {
        var builder = Host.CreateApplicationBuilder();
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Employees"] = "Host=127.0.0.1;Password=" + Secret };
        if (key is null)
        {
            settings.Remove("ConnectionStrings:Employees");
        }
        else
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMicroserviceKit().AddPostgreSqlDatabase("Employees");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, failure => failure.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ServerNotListening_FailsNamingTheSettingAndNeverThePassword()
    {
        var port = ClosedPort();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Employees"] = $"Host=127.0.0.1;Port={port};Username=app;Password={Secret};Timeout=3",
        });
        builder.AddMicroserviceKit().AddPostgreSqlDatabase("Employees");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.StartsWith($"The PostgreSQL database of ConnectionStrings:Employees (Host=127.0.0.1;Port={port};Database=app;Username=app) could not be opened and migrated", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
    }

    [PostgreSqlFact]
    public async Task Start_DatabaseMissing_FailsWithTheServersReasonAndNeverThePassword()
    {
        var connection = new NpgsqlConnectionStringBuilder(TestServers.PostgreSqlAdminConnectionString) { Database = "kit_no_such_db", Password = Secret };
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Employees"] = connection.ConnectionString });
        builder.AddMicroserviceKit().AddPostgreSqlDatabase("Employees");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("ConnectionStrings:Employees", error.Message, StringComparison.Ordinal);
        Assert.Contains("3D000", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
    }

    [PostgreSqlFact]
    public async Task AddPostgreSqlDatabase_TwiceAndKeyed_SharesOneDataSourceAndBecomesReady()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Employees"] = TestServers.CreatePostgreSqlDatabase() });
        builder.AddMicroserviceKit().AddPostgreSqlDatabase("Employees").AddPostgreSqlDatabase("Employees", o => o.Schema = "employees");
        using var host = builder.Build();
        await host.StartAsync();

        var database = host.Services.GetRequiredKeyedService<PostgreSqlDatabase>("Employees");
        Assert.Same(database.DataSource, host.Services.GetRequiredKeyedService<NpgsqlDataSource>("Employees"));
        Assert.Equal("employees", database.Schema);
        Assert.Single(host.Services.GetServices<Microservice.Kit.Hosting.IKitStartupTask>().OfType<PostgreSqlInitializer>());
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Entries["postgresql-Employees"].Status);
        Assert.Single(report.Entries, entry => entry.Key.StartsWith("postgresql-", StringComparison.Ordinal));

        // The schema was created on start, with the migration history in it.
        await using var command = database.DataSource.CreateCommand("SELECT count(*) FROM employees.kit_migrations");
        Assert.Equal(0L, await command.ExecuteScalarAsync());
        await host.StopAsync();
    }

    [Fact]
    public void AddPostgreSqlDatabase_ConnectionStringInTheSection_WinsOverConnectionStrings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Employees"] = "Host=a",
            ["Db:ConnectionString"] = "Host=b",
            ["Db:CommandTimeout"] = "00:00:05",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMicroserviceKit().AddPostgreSqlDatabase("Employees", configuration.GetSection("Db"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<PostgreSqlOptions>>().Get("Employees");

        Assert.Equal("Host=b", options.ConnectionString);
        Assert.Equal(TimeSpan.FromSeconds(5), options.CommandTimeout);
        Assert.Equal("Db:ConnectionString", options.ConnectionStringKey);
    }

    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

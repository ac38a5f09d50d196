using Microservice.Kit.Data;
using Microservice.Kit.PostgreSql;
using Microservice.Kit.PostgreSql.Internal;
using Microservice.Kit.Problems;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Microservice.Kit.Tests.PostgreSql.Internal;

public sealed class PostgreSqlErrorsTests
{
    [PostgreSqlFact]
    public async Task Translate_UniqueViolation_IsDuplicateKeyNamingTheField()
    {
        await using var database = new PostgreSqlDatabase("Db", new PostgreSqlOptions { ConnectionString = TestServers.CreatePostgreSqlDatabase() }, null);
        await ExecuteAsync(database, "CREATE TABLE users (id int PRIMARY KEY, username text CONSTRAINT users_username_key UNIQUE)");
        await ExecuteAsync(database, "INSERT INTO users VALUES (1, 'ann')");

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(database, "INSERT INTO users VALUES (2, 'ann')"));
        var problem = Assert.IsType<DuplicateKeyException>(PostgreSqlErrors.Translate(
            error, CancellationToken.None, "User", constraint => constraint == "users_username_key" ? "username" : null));

        Assert.Equal("username", problem.Field);
        Assert.Equal(409, problem.StatusCode);
    }

    [PostgreSqlFact]
    public async Task Translate_CommandTimeout_IsDependencyUnavailable()
    {
        await using var database = new PostgreSqlDatabase(
            "Db", new PostgreSqlOptions { ConnectionString = TestServers.PostgreSqlAdminConnectionString, CommandTimeout = TimeSpan.FromSeconds(1) }, null);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ExecuteAsync(database, "SELECT pg_sleep(30)"));
        var problem = Assert.IsType<DependencyUnavailableException>(PostgreSqlErrors.Translate(error, CancellationToken.None));

        Assert.Equal(503, problem.StatusCode);
        Assert.Equal(PostgreSqlErrors.TimeoutDetail, problem.Detail);
    }

    [PostgreSqlFact]
    public async Task Translate_CallersCancellation_StaysCancellation()
    {
        await using var database = new PostgreSqlDatabase("Db", new PostgreSqlOptions { ConnectionString = TestServers.PostgreSqlAdminConnectionString }, null);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ExecuteAsync(database, "SELECT pg_sleep(30)", cancellation.Token));

        Assert.Null(PostgreSqlErrors.Translate(error, cancellation.Token));
    }

    [Fact]
    public async Task Translate_ServerNotListening_IsDependencyUnavailable_AndTheHealthCheckUnhealthy()
    {
        var connectionString = $"Host=127.0.0.1;Port={PostgreSqlKitBuilderExtensionsTests.ClosedPort()};Username=app;Password=pw;Timeout=3";
        await using var database = new PostgreSqlDatabase("Db", new PostgreSqlOptions { ConnectionString = connectionString }, null);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ExecuteAsync(database, "SELECT 1"));
        var problem = Assert.IsType<DependencyUnavailableException>(PostgreSqlErrors.Translate(error, CancellationToken.None));
        var health = await new PostgreSqlHealthCheck(database).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(PostgreSqlErrors.UnavailableDetail, problem.Detail);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
    }

    [PostgreSqlFact]
    public async Task Translate_ConnectionKilledMidRun_IsDependencyUnavailable_ThenTheNextCommandWorks()
    {
        await using var database = new PostgreSqlDatabase("Db", new PostgreSqlOptions { ConnectionString = TestServers.CreatePostgreSqlDatabase() }, null);
        var connection = await database.DataSource.OpenConnectionAsync();
        await using var killer = new NpgsqlDataSourceBuilder(TestServers.PostgreSqlAdminConnectionString).Build();
        await using (var kill = killer.CreateCommand($"SELECT pg_terminate_backend({connection.ProcessID})"))
        {
            await kill.ExecuteScalarAsync();
        }

        await using (var command = new NpgsqlCommand("SELECT 1", connection))
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => command.ExecuteScalarAsync());
            Assert.IsType<DependencyUnavailableException>(PostgreSqlErrors.Translate(error, CancellationToken.None));
        }

        await connection.DisposeAsync();
        await using var again = database.DataSource.CreateCommand("SELECT 1");
        Assert.Equal(1, await again.ExecuteScalarAsync());
    }

    [Fact]
    public void Translate_ProgrammingError_PropagatesAsItIs()
    {
        Assert.Null(PostgreSqlErrors.Translate(new InvalidOperationException("bug"), CancellationToken.None));
    }

    private static async Task ExecuteAsync(PostgreSqlDatabase database, string sql, CancellationToken cancellationToken = default)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

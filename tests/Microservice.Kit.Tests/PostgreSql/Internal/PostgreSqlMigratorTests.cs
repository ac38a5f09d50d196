using Microservice.Kit.PostgreSql;
using Microservice.Kit.PostgreSql.Internal;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microservice.Kit.Tests.PostgreSql.Internal;

public sealed class PostgreSqlMigratorTests
{
    private static readonly PostgreSqlMigration[] Steps =
    [
        new("test:things:1", "CREATE TABLE {schema}.things (id bigint PRIMARY KEY)"),
        new("test:things:2", "ALTER TABLE {schema}.things ADD COLUMN name text"),
    ];

    [PostgreSqlFact]
    public async Task Migrate_TwoReplicasAtOnce_ApplyEachStepOnce()
    {
        var connectionString = TestServers.CreatePostgreSqlDatabase();
        await using var first = new PostgreSqlDatabase("Db", new PostgreSqlOptions { ConnectionString = connectionString, Schema = "svc" }, null);
        await using var second = new PostgreSqlDatabase("Db", new PostgreSqlOptions { ConnectionString = connectionString, Schema = "svc" }, null);

        var applied = await Task.WhenAll(
            Task.Run(() => PostgreSqlMigrator.MigrateAsync(first, Steps, NullLogger.Instance, CancellationToken.None)),
            Task.Run(() => PostgreSqlMigrator.MigrateAsync(second, Steps, NullLogger.Instance, CancellationToken.None)));

        Assert.Equal(2, applied.Sum());
        Assert.Contains(0, applied);
        await using var command = first.DataSource.CreateCommand("SELECT string_agg(id, ',' ORDER BY id) FROM svc.kit_migrations");
        Assert.Equal("test:things:1,test:things:2", await command.ExecuteScalarAsync());
    }

    [PostgreSqlFact]
    public async Task Migrate_Again_AppliesOnlyNewSteps()
    {
        await using var database = new PostgreSqlDatabase("Db", new PostgreSqlOptions { ConnectionString = TestServers.CreatePostgreSqlDatabase() }, null);

        Assert.Equal(1, await PostgreSqlMigrator.MigrateAsync(database, Steps[..1], NullLogger.Instance, CancellationToken.None));
        Assert.Equal(1, await PostgreSqlMigrator.MigrateAsync(database, Steps, NullLogger.Instance, CancellationToken.None));
        Assert.Equal(0, await PostgreSqlMigrator.MigrateAsync(database, Steps, NullLogger.Instance, CancellationToken.None));

        await using var command = database.DataSource.CreateCommand("INSERT INTO public.things (id, name) VALUES (1, 'a')");
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    [PostgreSqlFact]
    public async Task Migrate_FailingStep_LeavesNothingHalfMade()
    {
        await using var database = new PostgreSqlDatabase("Db", new PostgreSqlOptions { ConnectionString = TestServers.CreatePostgreSqlDatabase(), Schema = "half" }, null);
        PostgreSqlMigration[] steps = [Steps[0], new("test:things:broken", "ALTER TABLE {schema}.no_such_table ADD COLUMN x int")];

        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => PostgreSqlMigrator.MigrateAsync(database, steps, NullLogger.Instance, CancellationToken.None));

        await using var command = database.DataSource.CreateCommand("SELECT to_regclass('half.things') IS NULL AND to_regnamespace('half') IS NULL");
        Assert.Equal(true, await command.ExecuteScalarAsync());
    }
}

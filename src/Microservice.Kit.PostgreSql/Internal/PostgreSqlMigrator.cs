using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microservice.Kit.PostgreSql.Internal;

/// <summary>
/// Brings a database's schema up to date: in one transaction that holds an advisory lock on the schema, it creates the
/// schema and the <c>kit_migrations</c> table if missing and applies the steps not yet recorded. Replicas starting
/// together queue on the lock; the second finds everything recorded and applies nothing. PostgreSQL's DDL is
/// transactional, so a step that fails leaves nothing half-made.
/// </summary>
internal static class PostgreSqlMigrator
{
    public const string HistoryTable = "kit_migrations";

    public static async Task<int> MigrateAsync(
        PostgreSqlDatabase database, IEnumerable<PostgreSqlMigration> migrations, ILogger logger, CancellationToken cancellationToken)
    {
        var history = database.Qualify(HistoryTable);
        var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);

        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock($1)", cancellationToken, LockKey(database.Schema)).ConfigureAwait(false);

        // CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database, which a service's own role often
        // lacks for a schema an administrator made for it: create it only when it is missing.
        var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", connection);
        await using (exists.ConfigureAwait(false))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = database.Schema });
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                await ExecuteAsync(connection, "CREATE SCHEMA " + database.QuotedSchema, cancellationToken).ConfigureAwait(false);
            }
        }

        await ExecuteAsync(
            connection,
            $"CREATE TABLE IF NOT EXISTS {history} (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            cancellationToken).ConfigureAwait(false);

        var applied = new HashSet<string>(StringComparer.Ordinal);
        var read = new NpgsqlCommand($"SELECT id FROM {history}", connection);
        await using (read.ConfigureAwait(false))
        {
            var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(reader.GetString(0));
            }
        }

        var count = 0;
        foreach (var migration in migrations)
        {
            if (!applied.Add(migration.Id))
            {
                continue;
            }

            await ExecuteAsync(connection, migration.Sql.Replace("{schema}", database.QuotedSchema, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"INSERT INTO {history} (id) VALUES ($1)", cancellationToken, migration.Id).ConfigureAwait(false);
            Log.MigrationApplied(logger, database.Name, migration.Id);
            count++;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    /// <summary>The advisory lock of a schema's migrations: a stable 64-bit hash (FNV-1a) of a kit-specific name.</summary>
    internal static long LockKey(string schema)
    {
        const ulong Offset = 14695981039346656037UL;
        const ulong Prime = 1099511628211UL;
        var hash = Offset;
        foreach (var c in "Microservice.Kit:migrations:" + schema)
        {
            hash = (hash ^ c) * Prime;
        }

        return unchecked((long)hash);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, object? parameter = null)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using var commandScope = command.ConfigureAwait(false);
        if (parameter is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

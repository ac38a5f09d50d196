using Microservice.Kit.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Microservice.Kit.PostgreSql.Internal;

/// <summary>
/// On start, before the server accepts requests (a kit start-up task, run in registration order, so before the
/// repositories' own), opens every registered database and migrates it. A database that cannot be reached, refuses the
/// credentials or fails a step stops the service from starting, with a message naming the setting and the server but
/// never the password.
/// </summary>
internal sealed class PostgreSqlInitializer(
    IServiceProvider services, PostgreSqlRegistry registry, ILogger<PostgreSqlInitializer>? logger = null) : IKitStartupTask
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var sources = services.GetServices<IPostgreSqlMigrationSource>().ToList();
        foreach (var name in registry.Names)
        {
            var database = services.GetRequiredKeyedService<PostgreSqlDatabase>(name);
            try
            {
                if (database.Options.MigrateOnStart)
                {
                    var steps = sources.Where(s => string.Equals(s.DatabaseName, name, StringComparison.Ordinal)).SelectMany(s => s.GetMigrations());
                    var applied = await PostgreSqlMigrator.MigrateAsync(database, steps, _logger, cancellationToken).ConfigureAwait(false);
                    Log.DatabaseReady(_logger, name, database.Description, applied);
                }
                else
                {
                    var command = database.DataSource.CreateCommand("SELECT 1");
                    await using var commandScope = command.ConfigureAwait(false);
                    await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                    Log.DatabaseReady(_logger, name, database.Description, 0);
                }
            }
            catch (Exception exception) when (StartFailure(database, exception, cancellationToken) is { } failure)
            {
                throw failure;
            }
        }
    }

    /// <summary>
    /// The error that stops the start when <paramref name="exception"/> came from the database, naming the setting and
    /// the server, never the password; <see langword="null"/> for anything else (a cancelled start, a programming error).
    /// </summary>
    public static InvalidOperationException? StartFailure(PostgreSqlDatabase database, Exception exception, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || exception is not (NpgsqlException or TimeoutException))
        {
            return null;
        }

        return new InvalidOperationException(
            $"The PostgreSQL database of {database.ConnectionStringKey} ({database.Description}) could not be "
            + $"{(database.Options.MigrateOnStart ? "opened and migrated" : "opened")}: {Reason(exception)}",
            exception);
    }

    // Npgsql's messages name hosts, users, databases and SQLSTATEs, never the password.
    private static string Reason(Exception exception) => exception switch
    {
        PostgresException postgres => $"{postgres.SqlState}: {postgres.MessageText}",
        { InnerException: PostgresException postgres } => $"{postgres.SqlState}: {postgres.MessageText}",
        { InnerException: { } inner } when exception is NpgsqlException => exception.Message + " (" + inner.Message + ")",
        _ => exception.Message,
    };
}

/// <summary>The connection names of the databases registered with <c>AddPostgreSqlDatabase</c>, in order.</summary>
internal sealed class PostgreSqlRegistry
{
    private readonly List<string> _names = [];

    public IReadOnlyList<string> Names => _names;

    public bool Add(string name)
    {
        if (_names.Contains(name, StringComparer.Ordinal))
        {
            return false;
        }

        _names.Add(name);
        return true;
    }
}

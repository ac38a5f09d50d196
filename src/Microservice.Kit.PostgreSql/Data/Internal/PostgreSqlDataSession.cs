using Microservice.Kit.Data.Backends;
using Npgsql;

namespace Microservice.Kit.PostgreSql.Data.Internal;

/// <summary>
/// A unit of work on PostgreSQL: one connection from the pool and one transaction on it, committed by
/// <see cref="CommitAsync"/> and rolled back when disposed without a commit (or when the connection breaks).
/// </summary>
internal sealed class PostgreSqlDataSession : DataSession
{
    private PostgreSqlDataSession(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        Connection = connection;
        Transaction = transaction;
    }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    public static async ValueTask<PostgreSqlDataSession> BeginAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            return new PostgreSqlDataSession(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async ValueTask CommitAsync(CancellationToken cancellationToken) =>
        await Transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

    protected override async ValueTask DisposeAsyncCore()
    {
        await Transaction.DisposeAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
    }
}

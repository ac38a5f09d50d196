using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microservice.Kit.Files;
using Microservice.Kit.PostgreSql.Internal;
using Microservice.Kit.Problems;
using Npgsql;

namespace Microservice.Kit.PostgreSql.Files;

/// <summary>
/// An <see cref="IFileStoreArbiter"/> shared by every replica that uses the same PostgreSQL database: a session-level
/// advisory lock per (store location, file id), held on a connection of its own for the lease. The server releases it by
/// itself when the holder's connection ends, so a killed replica never leaves an id held and no table needs repair.
/// </summary>
/// <remarks>
/// The lock key is the first 64 bits of the SHA-256 of the location and the id: two different ids colliding only makes
/// them wait on each other (one in 2^64), never lets two writers of one id through.
/// </remarks>
public sealed class PostgreSqlFileStoreArbiter : IFileStoreArbiter
{
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the arbiter on <paramref name="dataSource"/> (the keyed <see cref="NpgsqlDataSource"/> of <c>AddPostgreSqlDatabase</c>).</summary>
    /// <param name="dataSource">The database every replica shares.</param>
    public PostgreSqlFileStoreArbiter(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
    }

    /// <inheritdoc/>
    public async ValueTask<IAsyncDisposable> AcquireAsync(string scope, string fileId, CancellationToken cancellationToken = default) =>
        (await LockAsync(scope, fileId, wait: true, cancellationToken).ConfigureAwait(false))!;

    /// <inheritdoc/>
    /// <remarks>
    /// <c>pg_try_advisory_lock</c> on a connection of the lease's own: the key stays held while that session lives, and
    /// a killed holder's session ends with its process, which frees the key without anyone's help.
    /// </remarks>
    public async ValueTask<IFileStoreLease?> TryAcquireAsync(string scope, string key, CancellationToken cancellationToken = default) =>
        await LockAsync(scope, key, wait: false, cancellationToken).ConfigureAwait(false);

    private async Task<Lease?> LockAsync(string scope, string fileId, bool wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(fileId);
        var key = KeyOf(scope, fileId);
        NpgsqlConnection? connection = null;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(wait ? "SELECT pg_advisory_lock($1)" : "SELECT pg_try_advisory_lock($1)", connection);
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });

                if (wait)
                {
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                else if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is false)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    return null;
                }
            }

            return new Lease(connection, key);
        }
        catch (Exception exception)
        {
            if (connection is not null)
            {
                // Closing the session releases a lock taken just before a cancellation.
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            if (PostgreSqlErrors.Translate(exception, cancellationToken) is { } translated && !ReferenceEquals(translated, exception))
            {
                throw translated;
            }

            throw;
        }
    }

    internal static long KeyOf(string scope, string fileId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(scope + "\n" + fileId), hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash);
    }

    private sealed class Lease(NpgsqlConnection connection, long key) : IFileStoreLease
    {
        private int _disposed;

        /// <summary>
        /// A session-level advisory lock goes only with an unlock or with its session, so the session answering is the lock
        /// being held; a broken connection (the server restarted, the network cut it) is a lost lease.
        /// </summary>
        public async ValueTask<bool> IsHeldAsync(CancellationToken cancellationToken = default)
        {
            if (Volatile.Read(ref _disposed) != 0 || connection.State != System.Data.ConnectionState.Open)
            {
                return false;
            }

            try
            {
                var command = new NpgsqlCommand("SELECT 1", connection);
                await using (command.ConfigureAwait(false))
                {
                    await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                }

                return true;
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            try
            {
                var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
                await using (command.ConfigureAwait(false))
                {
                    command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
                    await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (NpgsqlException)
            {
                // The connection is broken: ending the session below (or its loss) releases the lock all the same.
            }
            finally
            {
                // A pooled connection is reset (DISCARD ALL releases advisory locks) before reuse; disposing returns it.
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

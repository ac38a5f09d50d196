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
    public async ValueTask<IAsyncDisposable> AcquireAsync(string scope, string fileId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(fileId);
        var key = KeyOf(scope, fileId);
        NpgsqlConnection? connection = null;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection);
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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

    private sealed class Lease(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        private int _disposed;

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

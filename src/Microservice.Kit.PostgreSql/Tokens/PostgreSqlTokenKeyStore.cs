using System.Security.Cryptography;
using Microservice.Kit.PostgreSql.Internal;
using Microservice.Kit.Tokens;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Microservice.Kit.PostgreSql.Tokens;

/// <summary>
/// The token key ring in table <c>kit_signing_keys</c> of a PostgreSQL database every replica shares. Private keys are
/// encrypted at rest (<see cref="KeyEncryption"/>); the first key is added under a transaction-scoped advisory lock, so
/// that issuers starting at once on an empty table add exactly one. Database failures surface as 503
/// <c>DependencyUnavailable</c>.
/// </summary>
internal sealed class PostgreSqlTokenKeyStore : ITokenKeyStore
{
    public const string TableName = "kit_signing_keys";

    private readonly PostgreSqlDatabase _database;
    private readonly KeyEncryption _encryption;
    private readonly string _settingKey;
    private readonly ILogger _logger;
    private readonly string _table;
    private readonly string _lockKey;

    public PostgreSqlTokenKeyStore(PostgreSqlDatabase database, KeyEncryption encryption, string settingKey, ILogger logger)
    {
        _database = database;
        _encryption = encryption;
        _settingKey = settingKey;
        _logger = logger;
        _table = database.Qualify(TableName);
        // One lock per schema: two services keeping their rings in two schemas of one database do not wait for each other.
        _lockKey = "microservice-kit:" + TableName + ":" + database.Schema;
    }

    public static PostgreSqlMigration Migration { get; } = new("keyring:kit_signing_keys:1", $"""
        CREATE TABLE IF NOT EXISTS {"{schema}"}.{TableName} (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            kid text NOT NULL UNIQUE,
            algorithm text NOT NULL,
            private_key bytea NOT NULL,
            encryption_key_id text NOT NULL,
            created_at timestamptz NOT NULL,
            activates_at timestamptz NOT NULL,
            retired_at timestamptz NULL
        )
        """);

    public async Task<IReadOnlyList<StoredTokenKey>> LoadAsync(CancellationToken cancellationToken)
    {
        var rows = new List<(string KeyId, string Algorithm, byte[] Sealed, string EncryptionKeyId, DateTimeOffset Created, DateTimeOffset Activates, DateTimeOffset? Retired)>();
        try
        {
            var command = _database.DataSource.CreateCommand(
                $"SELECT kid, algorithm, private_key, encryption_key_id, created_at, activates_at, retired_at FROM {_table} ORDER BY seq");
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        rows.Add((
                            reader.GetString(0),
                            reader.GetString(1),
                            reader.GetFieldValue<byte[]>(2),
                            reader.GetString(3),
                            reader.GetFieldValue<DateTimeOffset>(4),
                            reader.GetFieldValue<DateTimeOffset>(5),
                            reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)));
                    }
                }
            }
        }
        catch (Exception exception) when (PostgreSqlErrors.Translate(exception, cancellationToken) is { } problem)
        {
            throw problem;
        }

        var keys = new List<StoredTokenKey>(rows.Count);
        foreach (var row in rows)
        {
            byte[]? privateKey;
            try
            {
                privateKey = _encryption.Decrypt(row.KeyId, row.Algorithm, row.EncryptionKeyId, row.Sealed);
            }
            catch (CryptographicException exception)
            {
                throw new InvalidOperationException(
                    $"Signing key '{row.KeyId}' in {_table} does not decrypt with {_settingKey}:EncryptionKey: the row was altered or copied from another key.", exception);
            }

            if (privateKey is null)
            {
                throw new InvalidOperationException(
                    $"Signing key '{row.KeyId}' in {_table} was encrypted with encryption key {row.EncryptionKeyId}, which is neither {_settingKey}:EncryptionKey "
                    + $"({_encryption.CurrentId}) nor one of {_settingKey}:PreviousEncryptionKeys. Every replica needs the same encryption key.");
            }

            keys.Add(new StoredTokenKey(row.KeyId, row.Algorithm, privateKey, row.Created, row.Activates, row.Retired));
        }

        return keys;
    }

    public async Task<bool> TryAddAsync(StoredTokenKey key, bool onlyIfEmpty, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var sealedKey = _encryption.Encrypt(key.KeyId, key.Algorithm, key.PrivateKey.Span);
        try
        {
            var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    if (onlyIfEmpty)
                    {
                        // Held until commit. The INSERT below is a new statement, so under READ COMMITTED it sees a
                        // first key that a competing issuer committed while this one waited for the lock.
                        var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended(@lock, 0))", connection, transaction);
                        await using (lockCommand.ConfigureAwait(false))
                        {
                            lockCommand.Parameters.AddWithValue("lock", _lockKey);
                            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }

                    var insert = new NpgsqlCommand(
                        $"""
                        INSERT INTO {_table} (kid, algorithm, private_key, encryption_key_id, created_at, activates_at, retired_at)
                        SELECT @kid, @algorithm, @private_key, @encryption_key_id, @created_at, @activates_at, @retired_at
                        WHERE NOT @only_if_empty OR NOT EXISTS (SELECT 1 FROM {_table})
                        """,
                        connection,
                        transaction);
                    int inserted;
                    await using (insert.ConfigureAwait(false))
                    {
                        insert.Parameters.AddWithValue("kid", key.KeyId);
                        insert.Parameters.AddWithValue("algorithm", key.Algorithm);
                        insert.Parameters.AddWithValue("private_key", NpgsqlDbType.Bytea, sealedKey);
                        insert.Parameters.AddWithValue("encryption_key_id", _encryption.CurrentId);
                        insert.Parameters.AddWithValue("created_at", key.CreatedAt.ToUniversalTime());
                        insert.Parameters.AddWithValue("activates_at", key.ActivatesAt.ToUniversalTime());
                        insert.Parameters.AddWithValue("retired_at", NpgsqlDbType.TimestampTz, key.RetiredAt?.ToUniversalTime() is { } retired ? retired : DBNull.Value);
                        insert.Parameters.AddWithValue("only_if_empty", onlyIfEmpty);
                        inserted = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    if (inserted == 1)
                    {
                        Log.KeyStored(_logger, key.KeyId, _database.Name, _encryption.CurrentId);
                    }
                    else
                    {
                        Log.KeyNotFirst(_logger, key.KeyId, _database.Name);
                    }

                    return inserted == 1;
                }
            }
        }
        catch (Exception exception) when (PostgreSqlErrors.Translate(exception, cancellationToken) is { } problem)
        {
            throw problem;
        }
    }

    public async Task<bool> RetireAsync(string keyId, DateTimeOffset retiredAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        // LEAST keeps an earlier moment: retire after revoke (or two replicas retiring at once) never extends a key's life.
        var updated = await ExecuteAsync(
            $"UPDATE {_table} SET retired_at = LEAST(COALESCE(retired_at, @retired_at), @retired_at) WHERE kid = @kid",
            parameters =>
            {
                parameters.AddWithValue("kid", keyId);
                parameters.AddWithValue("retired_at", retiredAt.ToUniversalTime());
            },
            cancellationToken).ConfigureAwait(false);
        return updated == 1;
    }

    public Task<int> RemoveRetiredAsync(DateTimeOffset retiredBefore, CancellationToken cancellationToken) => ExecuteAsync(
        $"DELETE FROM {_table} WHERE retired_at < @before",
        parameters => parameters.AddWithValue("before", retiredBefore.ToUniversalTime()),
        cancellationToken);

    private async Task<int> ExecuteAsync(string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        try
        {
            var command = _database.DataSource.CreateCommand(sql);
            await using (command.ConfigureAwait(false))
            {
                bind(command.Parameters);
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (PostgreSqlErrors.Translate(exception, cancellationToken) is { } problem)
        {
            throw problem;
        }
    }
}

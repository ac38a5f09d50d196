using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microservice.Kit.PostgreSql;
using Microservice.Kit.Tests.Infrastructure;
using Microservice.Kit.Tests.Tokens;
using Microservice.Kit.Tokens;
using Microservice.Kit.Tokens.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Microservice.Kit.Tests.PostgreSql.Tokens;

/// <summary>
/// The token key ring in a real PostgreSQL database, shared by issuer replicas: each replica is a real service on
/// loopback, all on one fake clock, so that activation delays and refresh intervals pass on demand.
/// </summary>
public sealed class PostgreSqlTokenKeyStoreTests
{
    private static readonly string EncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>A bound on real time for a background reload to land; never reached unless the reload is broken.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));

    [PostgreSqlFact]
    public async Task Store_RoundTrip_AddLoadRetireRemove()
    {
        var database = TestServers.CreatePostgreSqlDatabase();
        await using var replica = await StartReplicaAsync(database);
        var store = replica.Services.GetRequiredService<ITokenKeyStore>();
        var first = Assert.Single(await store.LoadAsync(CancellationToken.None));
        var now = _time.GetUtcNow();
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var added = new StoredTokenKey("round-trip-key", "ES256", ecdsa.ExportPkcs8PrivateKey(), now, now.AddMinutes(10), retiredAt: null);

        Assert.True(await store.TryAddAsync(added, onlyIfEmpty: false, CancellationToken.None));
        Assert.False(await store.TryAddAsync(added, onlyIfEmpty: true, CancellationToken.None));
        Assert.True(await store.RetireAsync(added.KeyId, now.AddHours(2), CancellationToken.None));
        Assert.True(await store.RetireAsync(added.KeyId, now.AddHours(1), CancellationToken.None));
        Assert.True(await store.RetireAsync(added.KeyId, now.AddHours(3), CancellationToken.None));
        Assert.False(await store.RetireAsync("no-such-key", now, CancellationToken.None));
        var loaded = await store.LoadAsync(CancellationToken.None);
        var removed = await store.RemoveRetiredAsync(now.AddHours(1).AddTicks(10), CancellationToken.None);

        Assert.Equal([first.KeyId, added.KeyId], loaded.Select(k => k.KeyId));
        var back = loaded[1];
        Assert.Equal(added.PrivateKey.ToArray(), back.PrivateKey.ToArray());
        Assert.Equal(("ES256", now, now.AddMinutes(10)), (back.Algorithm, back.CreatedAt, back.ActivatesAt));
        Assert.Equal(now.AddHours(1), back.RetiredAt); // the earliest of the three retirements
        Assert.Equal(1, removed);
        Assert.Equal(first.KeyId, Assert.Single(await store.LoadAsync(CancellationToken.None)).KeyId);
    }

    [PostgreSqlFact]
    public async Task Store_PrivateKeyIsEncryptedAtRest_AndBoundToItsRow()
    {
        var database = TestServers.CreatePostgreSqlDatabase();
        await using var replica = await StartReplicaAsync(database);
        var ring = replica.Services.GetRequiredService<LocalKeyRing>();
        await ring.RotateAsync(TimeSpan.Zero, CancellationToken.None);
        var pkcs8 = ring.State.Entries.Select(e => e.Key.Pkcs8!).ToList();

        var stored = await QueryAsync(database, "SELECT private_key FROM kit_signing_keys ORDER BY seq", r => r.GetFieldValue<byte[]>(0));

        Assert.Equal(2, stored.Count);
        for (var i = 0; i < stored.Count; i++)
        {
            Assert.False(stored[i].AsSpan().IndexOf(pkcs8[i]) >= 0, "the private key is stored in the clear");
            // Not even the key's 32-byte private scalar, wherever the encoding would put it.
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(pkcs8[i], out _);
            Assert.False(stored[i].AsSpan().IndexOf(ecdsa.ExportParameters(includePrivateParameters: true).D) >= 0);
        }

        // A ciphertext moved onto another key's row does not decrypt: the kid is authenticated with it.
        await ExecuteAsync(database, "UPDATE kit_signing_keys SET private_key = (SELECT private_key FROM kit_signing_keys ORDER BY seq LIMIT 1) WHERE seq = (SELECT max(seq) FROM kit_signing_keys)");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ring.ReloadAsync(CancellationToken.None));
        Assert.Contains("does not decrypt", error.Message, StringComparison.Ordinal);
    }

    [PostgreSqlFact]
    public async Task Start_WithAnotherEncryptionKey_FailsNamingTheSettingAndNoKey()
    {
        var database = TestServers.CreatePostgreSqlDatabase();
        await (await StartReplicaAsync(database)).DisposeAsync();
        var otherKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartReplicaAsync(database, encryptionKey: otherKey));

        Assert.Contains("MicroserviceKit:Tokens:PostgreSql:EncryptionKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(otherKey, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(EncryptionKey, error.ToString(), StringComparison.Ordinal);
    }

    [PostgreSqlFact]
    public async Task Start_WithoutAnEncryptionKey_FailsNamingTheSetting()
    {
        var database = TestServers.CreatePostgreSqlDatabase();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartReplicaAsync(database, encryptionKey: ""));

        Assert.Contains("MicroserviceKit:Tokens:PostgreSql:EncryptionKey is required", error.Message, StringComparison.Ordinal);
    }

    [PostgreSqlFact]
    public async Task ConcurrentFirstStart_OfSeveralIssuers_MakesExactlyOneKey()
    {
        var database = TestServers.CreatePostgreSqlDatabase();

        var replicas = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => StartReplicaAsync(database)));
        try
        {
            var rows = await QueryAsync(database, "SELECT kid FROM kit_signing_keys", r => r.GetString(0));
            var signing = replicas.Select(r => r.Services.GetRequiredService<ITokenIssuer>().Issue(new TokenRequest("alice")).KeyId).Distinct();

            Assert.Single(rows);
            Assert.Equal(rows, signing);
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    [PostgreSqlFact]
    public async Task Store_ConcurrentFirstAdds_OnAnEmptyTable_AddExactlyOne()
    {
        var database = TestServers.CreatePostgreSqlDatabase();
        await using var replica = await StartReplicaAsync(database);
        var store = replica.Services.GetRequiredService<ITokenKeyStore>();
        await ExecuteAsync(database, "DELETE FROM kit_signing_keys");
        // Open connections first, so that the adds race each other rather than the pool's connection set-up.
        var dataSource = replica.Services.GetRequiredKeyedService<NpgsqlDataSource>("Employees");
        foreach (var connection in await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => dataSource.OpenConnectionAsync().AsTask())))
        {
            await connection.DisposeAsync();
        }

        var now = _time.GetUtcNow();
        var candidates = Enumerable.Range(0, 16).Select(i =>
        {
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return new StoredTokenKey("first-" + i, "ES256", ecdsa.ExportPkcs8PrivateKey(), now, now, retiredAt: null);
        }).ToList();

        using var start = new Barrier(candidates.Count);
        var added = await Task.WhenAll(candidates.Select(key => Task.Run(() =>
        {
            start.SignalAndWait();
            return store.TryAddAsync(key, onlyIfEmpty: true, CancellationToken.None);
        })));

        Assert.Single(added, a => a);
        Assert.Single(await QueryAsync(database, "SELECT kid FROM kit_signing_keys", r => r.GetString(0)));
    }

    [PostgreSqlFact]
    public async Task Rotation_AcrossReplicas_PublishedEverywhereBeforeItSigns_OldTokensValidUntilTheyExpire()
    {
        var database = TestServers.CreatePostgreSqlDatabase();
        await using var a = await StartReplicaAsync(database);
        await using var b = await StartReplicaAsync(database);
        var old = Assert.Single(a.Services.GetRequiredService<ITokenKeyManager>().GetKeys());

        // A rotates. B learns the new key from its periodic reload (every minute), long before it signs (10 minutes).
        var rotated = await a.Services.GetRequiredService<ITokenKeyManager>().RotateAsync();
        _time.Advance(TimeSpan.FromMinutes(1));
        await WaitUntilAsync(async () => (await JwksKidsAsync(b)).Contains(rotated.KeyId));
        Assert.Equal(old.KeyId, Issue(a).KeyId);
        Assert.Equal(old.KeyId, Issue(b).KeyId);
        Assert.Equal(await JwksKidsAsync(a), await JwksKidsAsync(b));

        _time.Advance(TimeSpan.FromMinutes(9) - TimeSpan.FromSeconds(1));
        var lastOldToken = Issue(a);
        _time.Advance(TimeSpan.FromSeconds(1));
        var newToken = Issue(a);
        Assert.Equal(old.KeyId, lastOldToken.KeyId);
        Assert.Equal(rotated.KeyId, newToken.KeyId);
        Assert.Equal(rotated.KeyId, Issue(b).KeyId);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(b, newToken.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(b, lastOldToken.AccessToken));

        // A retires the old key: B keeps accepting its last token until that token expires, then the key leaves B's JWKS.
        await a.Services.GetRequiredService<ITokenKeyManager>().RetireAsync(old.KeyId);
        _time.Advance(TimeSpan.FromMinutes(59));
        await b.Services.GetRequiredService<LocalKeyRing>().ReloadAsync(CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(b, lastOldToken.AccessToken));
        Assert.Contains(old.KeyId, await JwksKidsAsync(b));
        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(b, lastOldToken.AccessToken));
        Assert.Equal([rotated.KeyId], await JwksKidsAsync(b));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(b, Issue(a).AccessToken));
    }

    [PostgreSqlFact]
    public async Task ImmediateRotation_OnA_IsAcceptedByBWithoutARestart_ThroughTheUnknownKid()
    {
        var database = TestServers.CreatePostgreSqlDatabase();
        await using var a = await StartReplicaAsync(database);
        await using var b = await StartReplicaAsync(database);

        await a.Services.GetRequiredService<ITokenKeyManager>().RotateAsync(TimeSpan.Zero);
        var token = Issue(a);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(b, token.AccessToken));
        Assert.Contains(token.KeyId, await JwksKidsAsync(b));
    }

    private Task<KestrelTestHost> StartReplicaAsync(string connectionString, string? encryptionKey = null) => KestrelTestHost.StartAsync(
        builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Employees"] = connectionString,
                ["MicroserviceKit:Tokens:PostgreSql:EncryptionKey"] = encryptionKey ?? EncryptionKey,
            });
            builder.Services.AddSingleton<TimeProvider>(_time);
            builder.AddMicroserviceKit(options => options.ServiceName = TokenTestHost.Issuer)
                .AddTokenValidation()
                .AddTokenIssuer()
                .AddPostgreSqlTokenKeyRing("Employees");
        },
        app =>
        {
            app.UseMicroserviceKit();
            app.MapKitEndpoints();
            app.MapGet("/me", () => "ok").RequireAuthorization();
        });

    private static IssuedToken Issue(KestrelTestHost replica) =>
        replica.Services.GetRequiredService<ITokenIssuer>().Issue(new TokenRequest("alice") { Permissions = ["emp.create"] });

    private static async Task<HttpStatusCode> StatusAsync(KestrelTestHost replica, string token)
    {
        using var response = await replica.Client.SendAsync(TokenTestHost.Get("/me", token));
        return response.StatusCode;
    }

    private static async Task<List<string>> JwksKidsAsync(KestrelTestHost replica)
    {
        using var jwks = JsonDocument.Parse(await replica.Client.GetStringAsync(new Uri(TokenDefaults.JwksPath, UriKind.Relative)));
        return [.. jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(50);
        }
    }

    private static async Task<List<T>> QueryAsync<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

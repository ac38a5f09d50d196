using Microservice.Kit.Files;
using Microservice.Kit.PostgreSql.Files;
using Microservice.Kit.Problems;
using Microservice.Kit.S3.Files;
using Microservice.Kit.Tests.Files;
using Microservice.Kit.Tests.Files.Contract;
using Microservice.Kit.Tests.Infrastructure;
using Npgsql;

namespace Microservice.Kit.Tests.PostgreSql.Files;

/// <summary>
/// Create-only across replicas on an object store that ignores <c>If-None-Match: *</c> (s3rver): two stores, each with
/// its own S3 client and its own PostgreSQL connection pool, as two replicas have, racing for one id.
/// </summary>
public sealed class PostgreSqlFileStoreArbiterTests : IClassFixture<S3BucketFixture>
{
    private readonly S3BucketFixture _bucket;

    public PostgreSqlFileStoreArbiterTests(S3BucketFixture bucket)
    {
        _bucket = bucket;
    }

    [PostgreSqlFact]
    public async Task CreateOnly_32WritersSplitAcrossTwoReplicas_ExactlyOneWins()
    {
        var database = TestServers.CreatePostgreSqlDatabase();
        var prefix = "race-" + Guid.NewGuid().ToString("N")[..8] + "/";
        await using var poolA = NpgsqlDataSource.Create(database);
        await using var poolB = NpgsqlDataSource.Create(database);
        using var clientA = S3ClientFactory.Create(new S3FileStoreOptions { ServiceUrl = TestServers.S3ServiceUrl.ToString(), Bucket = _bucket.Name });
        using var clientB = S3ClientFactory.Create(new S3FileStoreOptions { ServiceUrl = TestServers.S3ServiceUrl.ToString(), Bucket = _bucket.Name });
        using var replicaA = new S3FileStore(clientA, _bucket.Name, prefix, arbiter: new PostgreSqlFileStoreArbiter(poolA));
        using var replicaB = new S3FileStore(clientB, _bucket.Name, prefix, arbiter: new PostgreSqlFileStoreArbiter(poolB));
        using var start = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            var store = i % 2 == 0 ? replicaA : replicaB;
            start.Wait();
            try
            {
                return (StoredFileInfo?)await store.WriteAsync("contested", new MemoryStream(TestFiles.Binary(10_000 + i)));
            }
            catch (ConflictException error) when (error.Code == FileProblemCodes.FileExists)
            {
                return null;
            }
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r is not null);
        Assert.Equal(winner!.Sha256, (await replicaB.GetInfoAsync("contested"))?.Sha256);
        Assert.Equal(winner.Sha256, (await replicaA.GetInfoAsync("contested"))?.Sha256);
    }

    [PostgreSqlFact]
    public async Task Lease_HeldByOneConnection_OthersWaitUntilItIsReleased()
    {
        var database = TestServers.CreatePostgreSqlDatabase();
        await using var poolA = NpgsqlDataSource.Create(database);
        await using var poolB = NpgsqlDataSource.Create(database);
        var arbiterA = new PostgreSqlFileStoreArbiter(poolA);
        var arbiterB = new PostgreSqlFileStoreArbiter(poolB);

        var held = await arbiterA.AcquireAsync("s3:x/bucket/", "doc");
        var waiting = arbiterB.AcquireAsync("s3:x/bucket/", "doc").AsTask();
        var other = await arbiterB.AcquireAsync("s3:x/bucket/", "another");   // a different id is not held
        await other.DisposeAsync();
        await Task.Delay(300);

        Assert.False(waiting.IsCompleted);
        await held.DisposeAsync();
        await (await waiting.WaitAsync(TimeSpan.FromSeconds(30))).DisposeAsync();
    }

    [PostgreSqlFact]
    public async Task TryAcquire_HeldKey_IsNull_UntilTheHoldersSessionEnds()
    {
        var database = TestServers.CreatePostgreSqlDatabase();
        await using var poolA = NpgsqlDataSource.Create(database + ";Application Name=replica-a-" + Guid.NewGuid().ToString("N")[..8]);
        await using var poolB = NpgsqlDataSource.Create(database);
        var arbiterB = new PostgreSqlFileStoreArbiter(poolB);

        var held = await new PostgreSqlFileStoreArbiter(poolA).TryAcquireAsync("s3:x/bucket/", ".instance-a");
        var refused = await arbiterB.TryAcquireAsync("s3:x/bucket/", ".instance-a");
        await KillSessionsAsync(poolA);   // what PostgreSQL does by itself when the holder's process dies
        var takenOver = await arbiterB.TryAcquireAsync("s3:x/bucket/", ".instance-a");

        Assert.NotNull(held);
        Assert.Null(refused);
        Assert.False(await held!.IsHeldAsync());
        Assert.NotNull(takenOver);
        Assert.True(await takenOver!.IsHeldAsync());
        await takenOver.DisposeAsync();
        Assert.False(await takenOver.IsHeldAsync());
    }

    [PostgreSqlFact]
    public async Task StartUpCleanUp_RemovesTheUploadOfAReplicaWhoseSessionDied_KeepsALiveReplicas_AndTheDeadOneTakesItsKeyAgain()
    {
        var database = TestServers.CreatePostgreSqlDatabase();
        var prefix = "dead-" + Guid.NewGuid().ToString("N")[..8] + "/";
        await using var poolA = NpgsqlDataSource.Create(database + ";Application Name=replica-a-" + Guid.NewGuid().ToString("N")[..8]);
        await using var poolB = NpgsqlDataSource.Create(database);
        await using var poolC = NpgsqlDataSource.Create(database);
        using var replicaA = new S3FileStore(_bucket.Client, _bucket.Name, prefix, 5 * 1024 * 1024, new PostgreSqlFileStoreArbiter(poolA));
        using var replicaB = new S3FileStore(_bucket.Client, _bucket.Name, prefix, 5 * 1024 * 1024, new PostgreSqlFileStoreArbiter(poolB));
        var contentA = new PausingStream(12 * 1024 * 1024, pauseAt: 11 * 1024 * 1024);
        var contentB = new PausingStream(12 * 1024 * 1024, pauseAt: 11 * 1024 * 1024);
        var writeA = replicaA.WriteAsync("from-a", contentA);
        var writeB = replicaB.WriteAsync("from-b", contentB);
        await Task.WhenAll(contentA.Paused, contentB.Paused).WaitAsync(TimeSpan.FromSeconds(60));

        await KillSessionsAsync(poolA);   // replica A's process "dies": its sessions, and with them its instance key, end
        using var restarted = new S3FileStore(_bucket.Client, _bucket.Name, prefix, 5 * 1024 * 1024, new PostgreSqlFileStoreArbiter(poolC));
        var removed = await restarted.RemoveAbandonedUploadsAsync(DateTimeOffset.UtcNow.AddHours(-1));
        var journal = await JournalAsync(prefix);
        contentB.Resume();
        var storedB = await writeB.WaitAsync(TimeSpan.FromSeconds(60));
        contentA.Fail();
        await Assert.ThrowsAnyAsync<Exception>(() => writeA.WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.True(removed >= 1, $"removed {removed}");
        Assert.Equal([replicaB.InstanceId], journal.Select(k => k.Split('-')[1]));
        Assert.Equal(storedB.Sha256, (await restarted.GetInfoAsync("from-b"))?.Sha256);

        // A lost its key with its connection; its next upload takes the key again, so another start keeps that upload.
        var again = new PausingStream(12 * 1024 * 1024, pauseAt: 11 * 1024 * 1024);
        var writeAgain = replicaA.WriteAsync("from-a", again);
        await again.Paused.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, await restarted.RemoveAbandonedUploadsAsync(DateTimeOffset.UtcNow.AddHours(-1)));
        again.Resume();
        Assert.Equal(12 * 1024 * 1024, (await writeAgain.WaitAsync(TimeSpan.FromSeconds(60))).Size);
        Assert.Empty(await JournalAsync(prefix));
    }

    private async Task<List<string>> JournalAsync(string prefix)
    {
        var response = await _bucket.Client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = _bucket.Name, Prefix = prefix + ".uploads/" });
        return (response.S3Objects ?? []).Select(o => o.Key[(prefix.Length + ".uploads/".Length)..]).ToList();
    }

    /// <summary>Ends every session of <paramref name="pool"/> from the server side, as a killed process's sessions end.</summary>
    private static async Task KillSessionsAsync(NpgsqlDataSource pool)
    {
        var applicationName = new NpgsqlConnectionStringBuilder(pool.ConnectionString).ApplicationName;
        await using var admin = NpgsqlDataSource.Create(TestServers.PostgreSqlAdminConnectionString);
        await using var command = admin.CreateCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = applicationName });
        Assert.True((long)(await command.ExecuteScalarAsync())! >= 1);

        // pg_terminate_backend signals; the session's locks go when its backend has exited.
        await using var left = admin.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1");
        left.Parameters.Add(new NpgsqlParameter<string> { TypedValue = applicationName });
        for (var wait = 0; (long)(await left.ExecuteScalarAsync())! > 0; wait++)
        {
            Assert.True(wait < 200, "the terminated sessions did not end within 20 s");
            await Task.Delay(100);
        }
    }
}

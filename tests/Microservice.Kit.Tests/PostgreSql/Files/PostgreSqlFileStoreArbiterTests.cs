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
}

using Microservice.Kit.Hosting;
using Microservice.Kit.Tests.Data.Contract;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Tests.PostgreSql.Data;

/// <summary>
/// PostgreSQL: one database per test class, a schema of its own per test (created by the provider's migrations on start),
/// so that every test starts from empty tables as the contract assumes.
/// </summary>
public sealed class PostgreSqlBackendFixture : RepositoryBackendFixture
{
    private readonly Lazy<string> _database = new(() => TestServers.CreatePostgreSqlDatabase("kit_contract"));

    public override string Name => "postgresql";

    public override void AddBackend(IMicroserviceKitBuilder kit)
    {
        var connectionString = _database.Value;
        var schema = "t_" + Guid.NewGuid().ToString("N");
        kit.AddPostgreSql("contract", options =>
        {
            options.ConnectionString = connectionString;
            options.Schema = schema;
        });
    }
}

/// <summary>The repository contract on PostgreSQL.</summary>
[RequiresPostgreSql]
public sealed class PostgreSqlRepositoryContractTests(PostgreSqlBackendFixture fixture) : RepositoryContractTests<PostgreSqlBackendFixture>(fixture);

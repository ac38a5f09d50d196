using Microservice.Kit.Files;
using Microservice.Kit.Hosting;
using Microservice.Kit.PostgreSql.Files;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Makes PostgreSQL the file stores' arbiter, so that create-only writes and conditional deletes are exact across replicas.</summary>
public static class PostgreSqlFileStoreArbiterKitBuilderExtensions
{
    /// <summary>
    /// Replaces the process-local <see cref="IFileStoreArbiter"/> with <see cref="PostgreSqlFileStoreArbiter"/> on the database
    /// <paramref name="connectionName"/> (added with <c>AddPostgreSqlDatabase</c> if it is not yet).
    /// </summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="connectionName">The connection string's name (<c>ConnectionStrings:Employees</c>).</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddPostgreSqlFileStoreArbiter(this IMicroserviceKitBuilder kit, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        kit.AddPostgreSqlDatabase(connectionName);
        kit.Services.RemoveAll<IFileStoreArbiter>();
        kit.Services.AddSingleton<IFileStoreArbiter>(provider => new PostgreSqlFileStoreArbiter(provider.GetRequiredKeyedService<NpgsqlDataSource>(connectionName)));
        return kit;
    }
}

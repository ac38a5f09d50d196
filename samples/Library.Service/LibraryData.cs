using Microservice.Kit.Hosting;

namespace Library.Service;

internal static class LibraryData
{
    public const string ConnectionName = "Library";

    /// <summary>
    /// Where the books live: PostgreSQL when <c>ConnectionStrings:Library</c> is set (every replica shares it), else
    /// LiteDB in the data directory. The repositories and the HTTP contract are the same on both.
    /// </summary>
    public static IMicroserviceKitBuilder AddLibraryData(this IMicroserviceKitBuilder kit, IConfiguration configuration, LibrarySettings settings) =>
        string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionName))
            ? kit.AddLiteDb(db => db.ConnectionString = $"Filename={settings.DatabaseFile}")
            : kit.AddPostgreSql(ConnectionName);
}

using Microservice.Kit.Hosting;

namespace Employees.Service;

internal static class EmployeesData
{
    public const string ConnectionName = "Employees";

    /// <summary>
    /// Where the records live: PostgreSQL when <c>ConnectionStrings:Employees</c> is set (every replica shares it),
    /// else LiteDB in the data directory. The repositories and the HTTP contract are the same on both.
    /// </summary>
    public static IMicroserviceKitBuilder AddEmployeesData(this IMicroserviceKitBuilder kit, IConfiguration configuration, EmployeesSettings settings) =>
        UsesPostgreSql(configuration)
            ? kit.AddPostgreSql(ConnectionName)
            : kit.AddLiteDb(db => db.ConnectionString = $"Filename={settings.DatabaseFile}");

    public static bool UsesPostgreSql(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionName));
}

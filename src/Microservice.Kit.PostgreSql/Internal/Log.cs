using Microsoft.Extensions.Logging;

namespace Microservice.Kit.PostgreSql.Internal;

/// <summary>
/// The database's log events. Ids of this package: 7000-7099 the database (here), 7100-7199 repositories,
/// 7200-7299 the token key ring, 7300-7399 the file catalogue.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7000, EventName = "PostgreSqlDatabaseReady", Level = LogLevel.Information,
        Message = "PostgreSQL database {Database} ({Server}) is ready; {Applied} migration steps applied")]
    public static partial void DatabaseReady(ILogger logger, string database, string server, int applied);

    [LoggerMessage(EventId = 7001, EventName = "PostgreSqlMigrationApplied", Level = LogLevel.Information,
        Message = "PostgreSQL database {Database}: migration {Migration} applied")]
    public static partial void MigrationApplied(ILogger logger, string database, string migration);
}

namespace Microservice.Kit.PostgreSql.Internal;

/// <summary>
/// One step of a database's schema: applied once, in order, and recorded in <c>kit_migrations</c> under its
/// <see cref="Id"/>. <c>{schema}</c> in the SQL stands for the quoted schema. A step is never edited once shipped: a
/// change is a new step.
/// </summary>
/// <param name="Id">A stable, unique id: <c>{part}:{object}:{n}</c>, for example <c>repository:employees:1</c>.</param>
/// <param name="Sql">The statements.</param>
internal sealed record PostgreSqlMigration(string Id, string Sql);

/// <summary>
/// Contributes migrations to one database; every part of the package that keeps tables (repositories, the key ring,
/// the file catalogue) registers one: <c>services.AddSingleton&lt;IPostgreSqlMigrationSource&gt;(...)</c>. The start-up
/// migrator runs the steps of every source of a database in the order the sources were registered.
/// </summary>
internal interface IPostgreSqlMigrationSource
{
    /// <summary>The connection name of the database the steps are for.</summary>
    string DatabaseName { get; }

    /// <summary>The steps, in the order they apply.</summary>
    IEnumerable<PostgreSqlMigration> GetMigrations();
}

/// <summary>A fixed list of steps for a database.</summary>
internal sealed class PostgreSqlMigrationList(string databaseName, params PostgreSqlMigration[] migrations) : IPostgreSqlMigrationSource
{
    public string DatabaseName => databaseName;

    public IEnumerable<PostgreSqlMigration> GetMigrations() => migrations;
}

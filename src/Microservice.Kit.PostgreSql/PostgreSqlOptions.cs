namespace Microservice.Kit.PostgreSql;

/// <summary>
/// Options of one PostgreSQL database, named after its connection (<c>Employees</c>) and bound from
/// <c>MicroserviceKit:PostgreSql:{name}</c>; the connection string itself comes from <c>ConnectionStrings:{name}</c>
/// unless <see cref="ConnectionString"/> is set.
/// </summary>
public sealed class PostgreSqlOptions
{
    /// <summary>
    /// The Npgsql connection string (<c>Host=db;Database=employees;Username=app;Password=...</c>). Leave it unset to read
    /// <c>ConnectionStrings:{name}</c>, where connection strings usually live (and where ASP.NET Core's
    /// <c>ConnectionStrings__{name}</c> environment variable puts them). Its password never appears in a log or message.
    /// </summary>
    /// <value>The default is <see langword="null"/>: <c>ConnectionStrings:{name}</c>.</value>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The schema the kit's tables go into; created on start if missing. One schema per service keeps two services
    /// that share a database apart.
    /// </summary>
    /// <value>The default is <c>public</c>.</value>
    public string Schema { get; set; } = "public";

    /// <summary>
    /// How long one command may run before the database cancels it and the request fails with a 503
    /// <c>DependencyUnavailable</c>. Overrides the connection string's <c>Command Timeout</c>. Whole seconds, 1 to 3600.
    /// </summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether the tables are created and migrated when the service starts (under an advisory lock, so that replicas
    /// starting together take turns). Turn it off where a deployment step migrates instead; the service then expects
    /// the schema to be in place.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>The largest page size a repository's <c>PageAsync</c> accepts; a larger one is a 400.</summary>
    /// <value>The default is 100.</value>
    public int MaxPageSize { get; set; } = 100;

    // Which setting the connection string came from, for messages that tell an operator what to fix.
    internal string? ConnectionStringKey { get; set; }
}

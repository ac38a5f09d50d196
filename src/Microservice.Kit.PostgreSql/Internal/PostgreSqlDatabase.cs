using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microservice.Kit.PostgreSql.Internal;

/// <summary>
/// One PostgreSQL database of the service, by connection name: its options and its one pooled
/// <see cref="NpgsqlDataSource"/>, shared by everything of this package that stores there (repositories, the token key
/// ring, the file catalogue). Resolve it with <c>GetRequiredKeyedService&lt;PostgreSqlDatabase&gt;(name)</c>.
/// </summary>
internal sealed class PostgreSqlDatabase : IAsyncDisposable, IDisposable
{
    public PostgreSqlDatabase(string name, PostgreSqlOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        Options = options;
        ConnectionStringKey = options.ConnectionStringKey ?? "ConnectionStrings:" + name;
        Schema = options.Schema;
        QuotedSchema = QuoteIdentifier(options.Schema);

        var connection = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            CommandTimeout = (int)options.CommandTimeout.TotalSeconds,
        };
        if (string.IsNullOrEmpty(connection.ApplicationName))
        {
            connection.ApplicationName = "Microservice.Kit";
        }

        // Where it points, for start-up errors and logs: everything an operator needs to find the server, no password.
        Description = string.Create(
            CultureInfo.InvariantCulture,
            $"Host={connection.Host};Port={connection.Port};Database={connection.Database ?? connection.Username};Username={connection.Username}");

        var builder = new NpgsqlDataSourceBuilder(connection.ConnectionString) { Name = name };
        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }

        DataSource = builder.Build();
    }

    /// <summary>The connection name (<c>Employees</c>).</summary>
    public string Name { get; }

    /// <summary>The options, validated.</summary>
    public PostgreSqlOptions Options { get; }

    /// <summary>The setting the connection string came from (<c>ConnectionStrings:Employees</c>), for messages.</summary>
    public string ConnectionStringKey { get; }

    /// <summary>Host, port, database and user name, never the password.</summary>
    public string Description { get; }

    /// <summary>The schema, as configured.</summary>
    public string Schema { get; }

    /// <summary>The schema, quoted for SQL.</summary>
    public string QuotedSchema { get; }

    /// <summary>The pooled data source every part of the package shares for this database.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>A table or other object in the schema, quoted for SQL: <c>"public"."employees"</c>.</summary>
    public string Qualify(string name) => QuotedSchema + "." + QuoteIdentifier(name);

    /// <summary>Quotes an identifier for SQL (doubling any quote inside it).</summary>
    public static string QuoteIdentifier(string identifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    public void Dispose() => DataSource.Dispose();
}

using Microservice.Kit.Hosting;
using Microservice.Kit.PostgreSql;
using Microservice.Kit.PostgreSql.Data.Internal;
using Microservice.Kit.PostgreSql.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds PostgreSQL databases to the kit, and PostgreSQL as the backend of its repositories.</summary>
public static class PostgreSqlKitBuilderExtensions
{
    private const string Section = "PostgreSql";

    /// <summary>
    /// Keeps the service's repositories in the PostgreSQL database of a connection name (a table per repository, created
    /// and migrated on start), adding the database with <see cref="AddPostgreSqlDatabase(IMicroserviceKitBuilder, string)"/>.
    /// A service has one data backend: adding LiteDB as well fails.
    /// </summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="connectionName">The connection name (<c>Employees</c>): the connection string is <c>ConnectionStrings:Employees</c>.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddPostgreSql(this IMicroserviceKitBuilder kit, string connectionName)
    {
        kit.AddPostgreSqlDatabase(connectionName);
        return AddBackend(kit, connectionName);
    }

    /// <summary>Keeps the service's repositories in the PostgreSQL database of a connection name, with options set in code.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="connectionName">The connection name (<c>Employees</c>).</param>
    /// <param name="configure">Sets the options (<c>o =&gt; o.Schema = "employees"</c>).</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddPostgreSql(this IMicroserviceKitBuilder kit, string connectionName, Action<PostgreSqlOptions> configure)
    {
        kit.AddPostgreSqlDatabase(connectionName, configure);
        return AddBackend(kit, connectionName);
    }

    /// <summary>Keeps the service's repositories in the PostgreSQL database of a connection name, with options from a section of your choice.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="connectionName">The connection name (<c>Employees</c>).</param>
    /// <param name="configuration">The section holding <see cref="PostgreSqlOptions"/>.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddPostgreSql(this IMicroserviceKitBuilder kit, string connectionName, IConfigurationSection configuration)
    {
        kit.AddPostgreSqlDatabase(connectionName, configuration);
        return AddBackend(kit, connectionName);
    }

    /// <summary>
    /// Adds the PostgreSQL database of a connection name: one pooled <see cref="NpgsqlDataSource"/> for the process
    /// (also resolvable as a keyed service, <c>[FromKeyedServices("Employees")] NpgsqlDataSource</c>), its connection
    /// string from <c>ConnectionStrings:{connectionName}</c>, options from <c>MicroserviceKit:PostgreSql:{connectionName}</c>
    /// validated on start, its schema created and migrated on start, and a readiness check that runs a query.
    /// Calling it again for the same name adds nothing.
    /// </summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="connectionName">The connection name (<c>Employees</c>).</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddPostgreSqlDatabase(this IMicroserviceKitBuilder kit, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        return AddCore(kit, connectionName, section: null, configure: null);
    }

    /// <summary>Adds the PostgreSQL database of a connection name, with options from configuration, then set in code.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="connectionName">The connection name (<c>Employees</c>).</param>
    /// <param name="configure">Sets the options (<c>o =&gt; o.Schema = "employees"</c>).</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddPostgreSqlDatabase(this IMicroserviceKitBuilder kit, string connectionName, Action<PostgreSqlOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(kit, connectionName, section: null, configure);
    }

    /// <summary>Adds the PostgreSQL database of a connection name, with options bound from a configuration section of your choice.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="connectionName">The connection name (<c>Employees</c>).</param>
    /// <param name="configuration">The section holding <see cref="PostgreSqlOptions"/>.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddPostgreSqlDatabase(this IMicroserviceKitBuilder kit, string connectionName, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(kit, connectionName, configuration, configure: null);
    }

    private static IMicroserviceKitBuilder AddCore(IMicroserviceKitBuilder kit, string name, IConfigurationSection? section, Action<PostgreSqlOptions>? configure)
    {
        var services = kit.Services;
        section ??= kit.Configuration?.GetSection(Section + ":" + name);
        var sectionKey = section?.Path ?? $"{MicroserviceKitOptions.SectionName}:{Section}:{name}";

        var options = services.AddOptions<PostgreSqlOptions>(name);
        if (section is not null)
        {
            options.Bind(section);
        }
        else
        {
            options.Configure<IServiceProvider>((o, provider) => provider.GetService<IConfiguration>()?.GetSection(sectionKey).Bind(o));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        var registry = GetOrAddRegistry(services);
        if (!registry.Add(name))
        {
            return kit;
        }

        // The connection string's usual home, read last so that a value set in the section or in code wins.
        options.PostConfigure<IServiceProvider>((o, provider) =>
        {
            if (!string.IsNullOrWhiteSpace(o.ConnectionString))
            {
                o.ConnectionStringKey ??= sectionKey + ":ConnectionString";
                return;
            }

            o.ConnectionString = provider.GetService<IConfiguration>()?.GetConnectionString(name);
            o.ConnectionStringKey = "ConnectionStrings:" + name;
        });
        options.ValidateOnStart();
        services.AddSingleton<IValidateOptions<PostgreSqlOptions>>(new PostgreSqlOptionsValidator(name, sectionKey));

        services.AddKeyedSingleton(name, (provider, _) => new PostgreSqlDatabase(
            name,
            provider.GetRequiredService<IOptionsMonitor<PostgreSqlOptions>>().Get(name),
            provider.GetService<ILoggerFactory>()));
        services.AddKeyedSingleton(name, (provider, _) => provider.GetRequiredKeyedService<PostgreSqlDatabase>(name).DataSource);
        kit.AddStartupTask<PostgreSqlInitializer>();
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            "postgresql-" + name,
            provider => new PostgreSqlHealthCheck(provider.GetRequiredKeyedService<PostgreSqlDatabase>(name)),
            HealthStatus.Unhealthy,
            [KitHealthTags.Ready],
            timeout: TimeSpan.FromSeconds(10)));
        return kit;
    }

    private static IMicroserviceKitBuilder AddBackend(IMicroserviceKitBuilder kit, string name) =>
        kit.AddDataBackend(provider => new PostgreSqlDataBackend(
            provider.GetRequiredKeyedService<PostgreSqlDatabase>(name),
            provider.GetService<ILoggerFactory>()?.CreateLogger("Microservice.Kit.PostgreSql") ?? (ILogger)NullLogger.Instance));

    private static PostgreSqlRegistry GetOrAddRegistry(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(PostgreSqlRegistry) && descriptor.ImplementationInstance is PostgreSqlRegistry existing)
            {
                return existing;
            }
        }

        var registry = new PostgreSqlRegistry();
        services.AddSingleton(registry);
        return registry;
    }
}

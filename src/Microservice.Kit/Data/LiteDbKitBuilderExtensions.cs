using Microservice.Kit.Data;
using Microservice.Kit.Data.Internal;
using Microservice.Kit.Hosting;
using Microservice.Kit.Hosting.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the LiteDB database and repositories to the kit.</summary>
public static class LiteDbKitBuilderExtensions
{
    private const string Section = "LiteDb";

    /// <summary>
    /// Adds the LiteDB database (<see cref="LiteDbContext"/>, one per file for the process, checkpointed and closed on
    /// shutdown) with options from <c>MicroserviceKit:LiteDb</c>, and a readiness health check.
    /// </summary>
    /// <param name="kit">The kit builder.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddLiteDb(this IMicroserviceKitBuilder kit)
    {
        ArgumentNullException.ThrowIfNull(kit);
        return AddCore(kit, configure: null);
    }

    /// <summary>Adds the LiteDB database with options from <c>MicroserviceKit:LiteDb</c>, then set in code.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="configure">Sets the options (<c>o =&gt; o.ConnectionString = ":memory:"</c>).</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddLiteDb(this IMicroserviceKitBuilder kit, Action<LiteDbOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(kit, configure);
    }

    /// <summary>Adds the LiteDB database with options bound from a configuration section of your choice.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="configuration">The section holding <see cref="LiteDbOptions"/>.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddLiteDb(this IMicroserviceKitBuilder kit, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(kit, configure: null);
        kit.Services.AddOptions<LiteDbOptions>().Bind(configuration);
        return kit;
    }

    /// <summary>
    /// Registers a repository as a singleton, as itself and as the <see cref="IRepository{TEntity, TId}"/> it implements
    /// (adding the database with <see cref="AddLiteDb(IMicroserviceKitBuilder)"/> if it was not added).
    /// </summary>
    /// <typeparam name="TRepository">The repository, usually derived from <see cref="LiteDbRepository{TEntity, TId}"/>.</typeparam>
    /// <param name="kit">The kit builder.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddRepository<TRepository>(this IMicroserviceKitBuilder kit)
        where TRepository : class
    {
        ArgumentNullException.ThrowIfNull(kit);
        AddCore(kit, configure: null);
        if (!kit.Services.Any(d => d.ServiceType == typeof(TRepository)))
        {
            kit.Services.AddSingleton<TRepository>();
            kit.Services.AddSingleton(new RepositoryRegistration(typeof(TRepository)));
        }

        foreach (var contract in typeof(TRepository).GetInterfaces())
        {
            if (contract.IsGenericType && contract.GetGenericTypeDefinition() == typeof(IRepository<,>))
            {
                kit.Services.TryAdd(ServiceDescriptor.Singleton(contract, provider => provider.GetRequiredService<TRepository>()));
            }
        }

        return kit;
    }

    private static IMicroserviceKitBuilder AddCore(IMicroserviceKitBuilder kit, Action<LiteDbOptions>? configure)
    {
        kit.AddKitOptions(Section, configure);
        var services = kit.Services;
        if (services.Any(d => d.ServiceType == typeof(LiteDbMarker)))
        {
            return kit;
        }

        services.AddSingleton<LiteDbMarker>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LiteDbOptions>>(new LiteDbOptionsValidator(kit.KeyOf(Section))));
        services.TryAddSingleton(provider => new LiteDbContext(
            provider.GetRequiredService<IOptions<LiteDbOptions>>().Value,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<ILoggerFactory>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RepositoryWarmup>());
        services.AddHealthChecks().AddCheck<LiteDbHealthCheck>("litedb", tags: [KitHealthTags.Ready]);
        return kit;
    }

    /// <summary>Registered once; its presence tells a second <c>AddLiteDb</c> that the services are in place.</summary>
    private sealed class LiteDbMarker;
}

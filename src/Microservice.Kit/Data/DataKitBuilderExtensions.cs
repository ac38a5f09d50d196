using Microservice.Kit.Data;
using Microservice.Kit.Data.Backends;
using Microservice.Kit.Data.Internal;
using Microservice.Kit.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds repositories, and the backend they store in, to the kit.</summary>
public static class DataKitBuilderExtensions
{
    /// <summary>
    /// Chooses the database every repository of the service stores in. Provider packages call it from their own
    /// <c>AddXxx</c> (<c>AddLiteDb</c>, <c>AddPostgreSql</c>); a service has one backend.
    /// </summary>
    /// <typeparam name="TBackend">The backend type.</typeparam>
    /// <param name="kit">The kit builder.</param>
    /// <param name="factory">Creates the backend (once, as a singleton).</param>
    /// <returns>The kit builder.</returns>
    /// <exception cref="InvalidOperationException">Another backend type was already chosen.</exception>
    public static IMicroserviceKitBuilder AddDataBackend<TBackend>(this IMicroserviceKitBuilder kit, Func<IServiceProvider, TBackend> factory)
        where TBackend : DataBackend
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(factory);
        var services = kit.Services;
        var chosen = services.FirstOrDefault(d => d.ServiceType == typeof(DataBackendChoice))?.ImplementationInstance as DataBackendChoice;
        if (chosen is not null)
        {
            if (chosen.BackendType != typeof(TBackend))
            {
                throw new InvalidOperationException(
                    $"The service's data backend is already {chosen.BackendType.Name}; it cannot also use {typeof(TBackend).Name}. Add one backend.");
            }

            return kit;
        }

        services.AddSingleton(new DataBackendChoice(typeof(TBackend)));
        services.AddSingleton<TBackend>(factory);
        services.AddSingleton<DataBackend>(provider => provider.GetRequiredService<TBackend>());
        AddDataCore(kit);
        return kit;
    }

    /// <summary>
    /// Registers the repository of an entity declared by <typeparamref name="TDefinition"/>, as a singleton
    /// <see cref="IRepository{TEntity, TId}"/> over the service's backend (<c>AddLiteDb</c>, <c>AddPostgreSql</c>). Its
    /// collection and indexes are created before the service accepts requests. Registering it twice is harmless.
    /// </summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <typeparam name="TId">The id type.</typeparam>
    /// <typeparam name="TDefinition">The definition; created from the services, so it may take dependencies.</typeparam>
    /// <param name="kit">The kit builder.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddRepository<TEntity, TId, TDefinition>(this IMicroserviceKitBuilder kit)
        where TEntity : class, IEntity<TId>
        where TDefinition : class, IEntityDefinition<TEntity>
    {
        ArgumentNullException.ThrowIfNull(kit);
        return AddRepositoryCore<TEntity, TId>(kit, provider => ActivatorUtilities.GetServiceOrCreateInstance<TDefinition>(provider).Configure);
    }

    /// <summary>Registers the repository of an entity declared by a lambda (or by nothing: the defaults, no index, no rule).</summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <typeparam name="TId">The id type.</typeparam>
    /// <param name="kit">The kit builder.</param>
    /// <param name="configure">Declares the entity, as <see cref="IEntityDefinition{TEntity}.Configure"/> would; or <see langword="null"/>.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddRepository<TEntity, TId>(this IMicroserviceKitBuilder kit, Action<EntityTypeBuilder<TEntity>>? configure = null)
        where TEntity : class, IEntity<TId>
    {
        ArgumentNullException.ThrowIfNull(kit);
        return AddRepositoryCore<TEntity, TId>(kit, _ => configure ?? (static _ => { }));
    }

    private static IMicroserviceKitBuilder AddRepositoryCore<TEntity, TId>(IMicroserviceKitBuilder kit, Func<IServiceProvider, Action<EntityTypeBuilder<TEntity>>> definition)
        where TEntity : class, IEntity<TId>
    {
        var services = kit.Services;
        AddDataCore(kit);
        if (services.Any(d => d.ServiceType == typeof(IRepository<TEntity, TId>)))
        {
            return kit;
        }

        services.AddSingleton(provider =>
        {
            var builder = new EntityTypeBuilder<TEntity>();
            definition(provider)(builder);
            return builder.Build();
        });
        services.AddSingleton<IRepository<TEntity, TId>>(provider => new Repository<TEntity, TId>(
            provider.GetService<DataBackend>() ?? throw new InvalidOperationException(
                $"The repository of {typeof(TEntity).Name} has no backend: call AddLiteDb() or AddPostgreSql() on the kit builder."),
            provider.GetRequiredService<EntityModel<TEntity>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<ILoggerFactory>()?.CreateLogger(DataConstants.LoggerName) ?? NullLogger.Instance));
        services.AddSingleton(new RepositoryRegistration(typeof(IRepository<TEntity, TId>)));
        return kit;
    }

    private static void AddDataCore(IMicroserviceKitBuilder kit)
    {
        var services = kit.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddTransient(provider => new UnitOfWork(
            provider.GetService<DataBackend>() ?? throw new InvalidOperationException("A unit of work needs a data backend: call AddLiteDb() or AddPostgreSql() on the kit builder."),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<ILoggerFactory>()?.CreateLogger(DataConstants.LoggerName) ?? NullLogger.Instance));
        kit.AddStartupTask<RepositoryInitialization>();
    }

    /// <summary>Registered once by the first <see cref="AddDataBackend{TBackend}"/>: which backend the service chose.</summary>
    private sealed record DataBackendChoice(Type BackendType);
}

using Microservice.Kit.Files;
using Microservice.Kit.Files.Internal;
using Microservice.Kit.Hosting;
using Microservice.Kit.Hosting.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds file stores: the unnamed <see cref="IFileStore"/> and <see cref="FileUploads"/>, named (keyed) ones beside it, and a readiness check for each.</summary>
public static class FilesKitBuilderExtensions
{
    /// <summary>Adds the file store with options from <c>MicroserviceKit:Files</c> (a local store under <c>data/files</c> by default).</summary>
    /// <param name="kit">The kit builder.</param>
    /// <returns>The store's builder: choose its provider (<c>UseLocalDisk</c>, <c>UseInMemory</c>, <c>UseS3</c>) or go on with the kit.</returns>
    public static FileStoreBuilder AddFileStore(this IMicroserviceKitBuilder kit)
    {
        ArgumentNullException.ThrowIfNull(kit);
        return AddCore(kit, configure: null, section: null);
    }

    /// <summary>Adds the file store with options from <c>MicroserviceKit:Files</c>, then set in code.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="configure">Sets the options after configuration is bound.</param>
    /// <returns>The store's builder: choose its provider (<c>UseLocalDisk</c>, <c>UseInMemory</c>, <c>UseS3</c>) or go on with the kit.</returns>
    public static FileStoreBuilder AddFileStore(this IMicroserviceKitBuilder kit, Action<FileStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(kit, configure, section: null);
    }

    /// <summary>Adds the file store with options bound from <paramref name="configuration"/> (over <c>MicroserviceKit:Files</c>).</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="configuration">The section to bind the options from.</param>
    /// <returns>The store's builder: choose its provider (<c>UseLocalDisk</c>, <c>UseInMemory</c>, <c>UseS3</c>) or go on with the kit.</returns>
    public static FileStoreBuilder AddFileStore(this IMicroserviceKitBuilder kit, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(kit, configure: null, configuration);
    }

    /// <summary>
    /// Adds the file store <paramref name="name"/>, a store of its own beside the unnamed one: a keyed
    /// <see cref="IFileStore"/> and <see cref="FileUploads"/> (inject them with <c>[FromKeyedServices("pictures")]</c>),
    /// options bound from <c>MicroserviceKit:Files:Stores:&lt;name&gt;</c> (a local store under <c>data/&lt;name&gt;</c>
    /// by default) and the readiness check <c>files:&lt;name&gt;</c>.
    /// </summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="name">The store's name: letters, digits, <c>-</c> or <c>_</c> (it is a configuration key and a service key).</param>
    /// <returns>The store's builder: choose its provider (<c>UseLocalDisk</c>, <c>UseInMemory</c>, <c>UseS3</c>) or go on with the kit.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, has other characters, or differs only in case from a store added before.</exception>
    public static FileStoreBuilder AddFileStore(this IMicroserviceKitBuilder kit, string name)
    {
        ArgumentNullException.ThrowIfNull(kit);
        return AddNamed(kit, name, configure: null, section: null);
    }

    /// <summary>Adds the file store <paramref name="name"/> with options from <c>MicroserviceKit:Files:Stores:&lt;name&gt;</c>, then set in code.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="name">The store's name: letters, digits, <c>-</c> or <c>_</c>.</param>
    /// <param name="configure">Sets the store's options after configuration is bound.</param>
    /// <returns>The store's builder: choose its provider (<c>UseLocalDisk</c>, <c>UseInMemory</c>, <c>UseS3</c>) or go on with the kit.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, has other characters, or differs only in case from a store added before.</exception>
    public static FileStoreBuilder AddFileStore(this IMicroserviceKitBuilder kit, string name, Action<FileStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configure);
        return AddNamed(kit, name, configure, section: null);
    }

    /// <summary>
    /// Adds the file store <paramref name="name"/> with options bound from <paramref name="configuration"/> instead of
    /// <c>MicroserviceKit:Files:Stores:&lt;name&gt;</c>; validation messages name that section's keys.
    /// </summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="name">The store's name: letters, digits, <c>-</c> or <c>_</c>.</param>
    /// <param name="configuration">The section to bind the store's options from.</param>
    /// <returns>The store's builder: choose its provider (<c>UseLocalDisk</c>, <c>UseInMemory</c>, <c>UseS3</c>) or go on with the kit.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, has other characters, or differs only in case from a store added before.</exception>
    public static FileStoreBuilder AddFileStore(this IMicroserviceKitBuilder kit, string name, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddNamed(kit, name, configure: null, configuration);
    }

    /// <summary>Stores the files on the local disk (<see cref="LocalFileStore"/>, the default provider), with options bound from the store's section, then <paramref name="configure"/>.</summary>
    /// <param name="store">The store's builder.</param>
    /// <param name="configure">Sets the local options in code; <see langword="null"/> for none.</param>
    /// <returns>The store's builder.</returns>
    public static FileStoreBuilder UseLocalDisk(this FileStoreBuilder store, Action<LocalFileStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.UseProvider(LocalFileStoreProvider.Instance);
        if (configure is not null)
        {
            store.AddProviderOptions(LocalFileStoreProvider.BackendName, configure);
        }

        return store;
    }

    /// <summary>Keeps the files in process memory (<see cref="InMemoryFileStore"/>), lost on restart: for tests.</summary>
    /// <param name="store">The store's builder.</param>
    /// <returns>The store's builder.</returns>
    public static FileStoreBuilder UseInMemory(this FileStoreBuilder store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.UseProvider(InMemoryFileStoreProvider.Instance);
    }

    private static FileStoreBuilder AddCore(IMicroserviceKitBuilder kit, Action<FileStoreOptions>? configure, IConfigurationSection? section)
    {
        var options = kit.AddKitOptions(FileStoreConstants.SectionName, configure);
        if (section is not null)
        {
            options.Bind(section);
        }

        var services = kit.Services;
        var key = kit.KeyOf(FileStoreConstants.SectionName);
        var registry = services.GetOrAddInstance<FileStoreRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FileStoreOptions>>(new FileStoreOptionsValidator(Microsoft.Extensions.Options.Options.DefaultName, key, registry)));
        if (registry.Default is { } existing)
        {
            return existing;
        }

        var store = new FileStoreBuilder(kit, name: null, key, section, registry);
        AddShared(registry, store);
        registry.AddDefault(store);
        var context = store.Context;
        services.TryAddSingleton<IFileStore>(provider => FileStoreFactory.Create(provider, context));
        services.TryAddSingleton<FileUploads>();
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            FileStoreHealth.Name, provider => new FileStoreHealthCheck(provider, context), failureStatus: null, tags: FileStoreHealth.Tags));
        return store;
    }

    private static FileStoreBuilder AddNamed(IMicroserviceKitBuilder kit, string name, Action<FileStoreOptions>? configure, IConfigurationSection? section)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException(
                $"File store name '{name}' must be letters, digits, '-' or '_' (it is a configuration key, a service key and part of a directory name).",
                nameof(name));
        }

        var services = kit.Services;
        var key = kit.KeyOf(FileStoreConstants.StoresSectionName, name, section);
        var registry = services.GetOrAddInstance<FileStoreRegistry>();
        var store = new FileStoreBuilder(kit, name, key, section, registry);
        var added = registry.Add(store);
        var options = kit.AddKitOptions(FileStoreConstants.StoresSectionName, name, section, configure);
        if (!added)
        {
            // Added before: the configuration above applies again (harmless); the services are already in place.
            return registry.Named(name);
        }

        // A factory, not an instance: TryAddEnumerable dedups validators by implementation type, so an instance here
        // would stop the unnamed store's validator of the same type from being added after it.
        options.ValidateKitOptionsOnStart(key);
        services.AddSingleton<IValidateOptions<FileStoreOptions>>(_ => new FileStoreOptionsValidator(name, key, registry));

        AddShared(registry, store);
        var context = store.Context;
        services.AddKeyedSingleton<IFileStore>(name, (provider, _) => FileStoreFactory.Create(provider, context));
        services.AddKeyedSingleton(name, (provider, _) => FileStoreFactory.CreateUploads(provider, name));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            FileStoreHealth.NameOf(name),
            provider => new FileStoreHealthCheck(provider, context),
            failureStatus: null,
            tags: FileStoreHealth.Tags));
        return store;
    }

    private static void AddShared(FileStoreRegistry registry, FileStoreBuilder store)
    {
        var services = store.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFileStoreArbiter, InProcessFileStoreArbiter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, FileStoreStartup>());

        // The built-in providers are known to every store, so that configuration alone can select them.
        registry.AddProvider(LocalFileStoreProvider.Instance);
        registry.AddProvider(InMemoryFileStoreProvider.Instance);
    }
}

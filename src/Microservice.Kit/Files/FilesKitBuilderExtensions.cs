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
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddFileStore(this IMicroserviceKitBuilder kit)
    {
        ArgumentNullException.ThrowIfNull(kit);
        return AddCore(kit, configure: null, section: null);
    }

    /// <summary>Adds the file store with options from <c>MicroserviceKit:Files</c>, then set in code.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="configure">Sets the options after configuration is bound.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddFileStore(this IMicroserviceKitBuilder kit, Action<FileStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(kit, configure, section: null);
    }

    /// <summary>Adds the file store with options bound from <paramref name="configuration"/> (over <c>MicroserviceKit:Files</c>).</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="configuration">The section to bind the options from.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddFileStore(this IMicroserviceKitBuilder kit, IConfigurationSection configuration)
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
    /// <returns>The kit builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, has other characters, or differs only in case from a store added before.</exception>
    public static IMicroserviceKitBuilder AddFileStore(this IMicroserviceKitBuilder kit, string name)
    {
        ArgumentNullException.ThrowIfNull(kit);
        return AddNamed(kit, name, configure: null, section: null);
    }

    /// <summary>Adds the file store <paramref name="name"/> with options from <c>MicroserviceKit:Files:Stores:&lt;name&gt;</c>, then set in code.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="name">The store's name: letters, digits, <c>-</c> or <c>_</c>.</param>
    /// <param name="configure">Sets the store's options after configuration is bound.</param>
    /// <returns>The kit builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, has other characters, or differs only in case from a store added before.</exception>
    public static IMicroserviceKitBuilder AddFileStore(this IMicroserviceKitBuilder kit, string name, Action<FileStoreOptions> configure)
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
    /// <returns>The kit builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, has other characters, or differs only in case from a store added before.</exception>
    public static IMicroserviceKitBuilder AddFileStore(this IMicroserviceKitBuilder kit, string name, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddNamed(kit, name, configure: null, configuration);
    }

    private static IMicroserviceKitBuilder AddCore(IMicroserviceKitBuilder kit, Action<FileStoreOptions>? configure, IConfigurationSection? section)
    {
        var options = kit.AddKitOptions(FileStoreConstants.SectionName, configure);
        if (section is not null)
        {
            options.Bind(section);
        }

        var services = kit.Services;
        var key = kit.KeyOf(FileStoreConstants.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FileStoreOptions>>(new FileStoreOptionsValidator(Microsoft.Extensions.Options.Options.DefaultName, key)));
        if (!services.GetOrAddInstance<FileStoreRegistry>().AddDefault(key))
        {
            return kit;
        }

        AddShared(services);
        services.TryAddSingleton<IFileStore>(provider => FileStoreFactory.Create(provider, Microsoft.Extensions.Options.Options.DefaultName));
        services.TryAddSingleton<FileUploads>();
        services.AddHealthChecks().AddCheck<FileStoreHealthCheck>(FileStoreHealth.Name, tags: FileStoreHealth.Tags);
        return kit;
    }

    private static IMicroserviceKitBuilder AddNamed(IMicroserviceKitBuilder kit, string name, Action<FileStoreOptions>? configure, IConfigurationSection? section)
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
        var added = services.GetOrAddInstance<FileStoreRegistry>().Add(name, key);

        // Its own directory by default (set once, before configuration), beside the unnamed store's data/files
        // rather than inside it.
        var options = kit.AddKitOptions(FileStoreConstants.StoresSectionName, name, section, configure,
            defaults: added ? o => o.RootPath = FileStoreConstants.DefaultDataDirectory + "/" + name : null);
        if (!added)
        {
            // Added before: the configuration above applies again (harmless); the services are already in place.
            return kit;
        }

        // A factory, not an instance: TryAddEnumerable dedups validators by implementation type, so an instance here
        // would stop the unnamed store's validator of the same type from being added after it.
        options.ValidateKitOptionsOnStart(key);
        services.AddSingleton<IValidateOptions<FileStoreOptions>>(_ => new FileStoreOptionsValidator(name, key));

        AddShared(services);
        services.AddKeyedSingleton<IFileStore>(name, (provider, _) => FileStoreFactory.Create(provider, name));
        services.AddKeyedSingleton(name, (provider, _) => FileStoreFactory.CreateUploads(provider, name));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            FileStoreHealth.NameOf(name),
            provider => new FileStoreHealthCheck(provider.GetRequiredKeyedService<IFileStore>(name), name),
            failureStatus: null,
            tags: FileStoreHealth.Tags));
        return kit;
    }

    private static void AddShared(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, FileStoreStartup>());
    }
}

using Microservice.Kit.Files;
using Microservice.Kit.Files.Internal;
using Microservice.Kit.Hosting;
using Microservice.Kit.Hosting.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the file store: <see cref="IFileStore"/>, <see cref="FileUploads"/> and a readiness check.</summary>
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

    private static IMicroserviceKitBuilder AddCore(IMicroserviceKitBuilder kit, Action<FileStoreOptions>? configure, IConfigurationSection? section)
    {
        var options = kit.AddKitOptions(FileStoreConstants.SectionName, configure);
        if (section is not null)
        {
            options.Bind(section);
        }

        var services = kit.Services;
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FileStoreOptions>>(
            new FileStoreOptionsValidator(kit.KeyOf(FileStoreConstants.SectionName))));
        if (services.Any(d => d.ServiceType == typeof(FileStoreMarker)))
        {
            return kit;
        }

        services.AddSingleton<FileStoreMarker>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFileStore>(FileStoreFactory.Create);
        services.TryAddSingleton<FileUploads>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, FileStoreStartup>());
        services.AddHealthChecks().AddCheck<FileStoreHealthCheck>(FileStoreHealth.Name, tags: FileStoreHealth.Tags);
        return kit;
    }
}

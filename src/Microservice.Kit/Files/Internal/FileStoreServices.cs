using Microservice.Kit.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Files.Internal;

/// <summary>
/// The stores <c>AddFileStore</c> has registered (the unnamed one and each named one) and the providers known to them;
/// one instance per service collection. A second call for the same store finds it here and only adds options.
/// </summary>
internal sealed class FileStoreRegistry
{
    private readonly Dictionary<string, FileStoreBuilder> _named = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileStoreProvider> _providers = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<(string, Type)> _boundOptions = [];
    private FileStoreBuilder? _default;

    /// <summary>The unnamed store, or <see langword="null"/> when it is not registered.</summary>
    public FileStoreBuilder? Default
    {
        get
        {
            lock (_named)
            {
                return _default;
            }
        }
    }

    /// <summary>Adds the unnamed store; false when it was added before.</summary>
    public bool AddDefault(FileStoreBuilder store)
    {
        lock (_named)
        {
            if (_default is not null)
            {
                return false;
            }

            _default = store;
        }

        ConfigureForEveryProvider(store);
        return true;
    }

    /// <summary>Adds a named store; false when it was added before.</summary>
    /// <exception cref="ArgumentException">Another store's name differs from it only in case (both would bind the same configuration section).</exception>
    public bool Add(FileStoreBuilder store)
    {
        var name = store.Name!;
        lock (_named)
        {
            if (_named.ContainsKey(name))
            {
                return false;
            }

            // Configuration keys are case-insensitive but service keys are not: "Pictures" and "pictures" would be two
            // stores bound from one section, and on Windows or macOS their default roots would be one directory.
            if (_named.Keys.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) is { } other)
            {
                throw new ArgumentException($"File store name '{name}' differs only in case from the store '{other}' added before.", nameof(store));
            }

            _named.Add(name, store);
        }

        ConfigureForEveryProvider(store);
        return true;
    }

    /// <summary>The named store <paramref name="name"/>, added before.</summary>
    public FileStoreBuilder Named(string name)
    {
        lock (_named)
        {
            return _named[name];
        }
    }

    public IReadOnlyList<FileStoreBuilder> Named()
    {
        lock (_named)
        {
            return [.. _named.Values];
        }
    }

    /// <summary>Adds a provider (the first of a kind wins) and lets it configure every store added so far.</summary>
    public void AddProvider(FileStoreProvider provider)
    {
        List<FileStoreBuilder> stores;
        lock (_named)
        {
            if (!_providers.TryAdd(provider.Backend, provider))
            {
                return;
            }

            stores = [.. _named.Values];
            if (_default is not null)
            {
                stores.Add(_default);
            }
        }

        foreach (var store in stores)
        {
            provider.ConfigureStore(store);
        }
    }

    public FileStoreProvider? Provider(string? backend)
    {
        lock (_named)
        {
            return backend is not null && _providers.TryGetValue(backend, out var provider) ? provider : null;
        }
    }

    public string ProviderNames()
    {
        lock (_named)
        {
            return string.Join(", ", _providers.Values.Select(p => p.Backend));
        }
    }

    /// <summary>True the first time a store's options of <paramref name="type"/> are bound.</summary>
    public bool MarkOptions(string optionsName, Type type)
    {
        lock (_boundOptions)
        {
            return _boundOptions.Add((optionsName, type));
        }
    }

    private void ConfigureForEveryProvider(FileStoreBuilder store)
    {
        List<FileStoreProvider> providers;
        lock (_named)
        {
            providers = [.. _providers.Values];
        }

        foreach (var provider in providers)
        {
            provider.ConfigureStore(store);
        }
    }
}

internal static class FileStoreFactory
{
    /// <summary>Creates the store <paramref name="store"/> with its provider, wrapped in what every store shares.</summary>
    public static IFileStore Create(IServiceProvider services, FileStoreContext store)
    {
        var options = services.GetRequiredService<IOptionsMonitor<FileStoreOptions>>().Get(store.OptionsName);
        var registry = services.GetRequiredService<FileStoreRegistry>();
        var provider = registry.Provider(options.Backend)
            ?? throw new InvalidOperationException($"{store.ConfigurationKey}:Backend '{options.Backend}' is not a known file store provider ({registry.ProviderNames()}).");
        var inner = provider.Create(services, store);
        return new FileStorePipeline(inner, provider, store, services.GetService<ILogger<FileStorePipeline>>() ?? (ILogger)NullLogger.Instance);
    }

    /// <summary>The upload reader of the store named <paramref name="name"/>, with that store's options (its default size limit).</summary>
    public static FileUploads CreateUploads(IServiceProvider services, string name) => new(
        services.GetRequiredKeyedService<IFileStore>(name),
        Options.Create(services.GetRequiredService<IOptionsMonitor<FileStoreOptions>>().Get(name)),
        services.GetRequiredService<ILogger<FileUploads>>());

    /// <summary>A relative root is under the content root, not the current directory, which depends on how the service was started.</summary>
    public static string ResolveRoot(string rootPath, IHostEnvironment? environment) =>
        Path.IsPathRooted(rootPath) ? rootPath : Path.Combine(environment?.ContentRootPath ?? AppContext.BaseDirectory, rootPath);

    public static IFileStore Resolve(IServiceProvider services, FileStoreContext store) =>
        store.Name is null ? services.GetRequiredService<IFileStore>() : services.GetRequiredKeyedService<IFileStore>(store.Name);
}

/// <summary>
/// Resolves every store when the host starts, so that a setting that cannot work fails the start, not the first
/// upload; refuses two stores on one location, where each would see (and, on start, clean up) the other's files; then
/// lets each provider run its start-up cleanup.
/// </summary>
internal sealed class FileStoreStartup(IServiceProvider services, FileStoreRegistry registry) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stores = new List<FileStoreBuilder>();
        if (registry.Default is { } unnamed)
        {
            stores.Add(unnamed);
        }

        stores.AddRange(registry.Named());
        var locations = new List<(string Location, string Key)>();
        var started = new List<(FileStorePipeline Store, FileStoreContext Context)>();
        foreach (var builder in stores)
        {
            var context = builder.Context;
            if (FileStoreFactory.Resolve(services, context) is not FileStorePipeline store)
            {
                // Replaced by the application with a store of its own: nothing of the kit's to start.
                continue;
            }

            if (store.Provider.DescribeLocation(store.Inner) is { } location)
            {
                // Windows and macOS file systems are case-insensitive by default; bucket names are lowercase anyway.
                var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
                foreach (var (other, otherKey) in locations)
                {
                    if (string.Equals(other, location, comparison))
                    {
                        throw new InvalidOperationException(
                            $"{context.ConfigurationKey} stores its files in the same place as {otherKey} ('{location}'); each file store needs a location of its own.");
                    }
                }

                locations.Add((location, context.ConfigurationKey));
            }

            started.Add((store, context));
        }

        foreach (var (store, context) in started)
        {
            await store.Provider.StartAsync(store.Inner, context, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The readiness of one store, as its provider checks it.</summary>
internal sealed class FileStoreHealthCheck(IServiceProvider services, FileStoreContext context) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext healthContext, CancellationToken cancellationToken = default)
    {
        if (FileStoreFactory.Resolve(services, context) is not FileStorePipeline store)
        {
            return HealthCheckResult.Healthy();
        }

        var result = await store.Provider.CheckReadinessAsync(store.Inner, context, cancellationToken).ConfigureAwait(false);
        return result.Status == HealthStatus.Healthy
            ? result
            : new HealthCheckResult(healthContext.Registration.FailureStatus, result.Description, data: result.Data);
    }
}

/// <summary>Rules across properties, with messages that name the full key.</summary>
internal sealed class FileStoreOptionsValidator(string optionsName, string key, FileStoreRegistry registry) : IValidateOptions<FileStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, FileStoreOptions options)
    {
        if (!string.Equals(optionsName, name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.Backend) && registry.Provider(options.Backend) is null)
        {
            return ValidateOptionsResult.Fail(
                $"{key}:Backend '{options.Backend}' is not a file store provider this service knows ({registry.ProviderNames()}); " +
                "add the provider's package and call its Use method (UseS3 in Microservice.Kit.S3).");
        }

        return ValidateOptionsResult.Success;
    }
}

/// <summary>Validates a provider's options of one store (DataAnnotations, keyed messages), only when that store uses the provider.</summary>
internal sealed class ProviderOptionsValidator<TOptions>(string optionsName, string key, string backend, IOptionsMonitor<FileStoreOptions> stores) : IValidateOptions<TOptions>
    where TOptions : class
{
    private readonly Hosting.Internal.KeyedDataAnnotationsValidator<TOptions> _annotations = new(optionsName, key);

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        if (!string.Equals(optionsName, name, StringComparison.Ordinal) || !Uses(stores, optionsName, backend))
        {
            return ValidateOptionsResult.Skip;
        }

        return _annotations.Validate(name, options);
    }

    /// <summary>
    /// Whether the store uses the provider <paramref name="backend"/>. When the store's own options are invalid their
    /// backend is unknown: validate anyway, so that a start that fails names every wrong setting at once.
    /// </summary>
    public static bool Uses(IOptionsMonitor<FileStoreOptions> stores, string optionsName, string backend)
    {
        try
        {
            return string.Equals(stores.Get(optionsName).Backend, backend, StringComparison.OrdinalIgnoreCase);
        }
        catch (OptionsValidationException)
        {
            return true;
        }
    }
}

internal static class FileStoreHealth
{
    public const string Name = "files";

    /// <summary>The check of a named store: <c>files:pictures</c>.</summary>
    public static string NameOf(string storeName) => Name + ":" + storeName;

    public static readonly string[] Tags = [KitHealthTags.Ready];
}

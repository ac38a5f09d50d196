using Microservice.Kit.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Files.Internal;

/// <summary>
/// The stores <c>AddFileStore</c> has registered (the unnamed one and each named one), with the configuration key
/// of each; one instance per service collection. A second call for the same store finds it here and only adds options.
/// </summary>
internal sealed class FileStoreRegistry
{
    private readonly Dictionary<string, string> _named = new(StringComparer.Ordinal);

    /// <summary>The key of the unnamed store (<c>MicroserviceKit:Files</c>), or <see langword="null"/> when it is not registered.</summary>
    public string? DefaultKey { get; private set; }

    public bool AddDefault(string key)
    {
        lock (_named)
        {
            if (DefaultKey is not null)
            {
                return false;
            }

            DefaultKey = key;
            return true;
        }
    }

    /// <summary>Adds a named store; false when it was added before.</summary>
    /// <exception cref="ArgumentException">Another store's name differs from it only in case (both would bind the same configuration section).</exception>
    public bool Add(string name, string key)
    {
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
                throw new ArgumentException($"File store name '{name}' differs only in case from the store '{other}' added before.", nameof(name));
            }

            _named.Add(name, key);
            return true;
        }
    }

    public IReadOnlyList<KeyValuePair<string, string>> Named()
    {
        lock (_named)
        {
            return [.. _named];
        }
    }
}

internal static class FileStoreFactory
{
    /// <summary>Creates the store of the options named <paramref name="name"/> (<see cref="Options.DefaultName"/> for the unnamed store).</summary>
    public static IFileStore Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<FileStoreOptions>>().Get(name);
        var timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        return options.Backend switch
        {
            FileStoreBackend.InMemory => new InMemoryFileStore(timeProvider),
            _ => new LocalFileStore(
                ResolveRoot(options.RootPath!, services.GetService<IHostEnvironment>()),
                options.FlushToDisk,
                timeProvider,
                services.GetService<ILogger<LocalFileStore>>(),
                options.MaxTotalBytes,
                options.MinFreeBytes),
        };
    }

    /// <summary>The upload reader of the store named <paramref name="name"/>, with that store's options (its default size limit).</summary>
    public static FileUploads CreateUploads(IServiceProvider services, string name) => new(
        services.GetRequiredKeyedService<IFileStore>(name),
        Options.Create(services.GetRequiredService<IOptionsMonitor<FileStoreOptions>>().Get(name)),
        services.GetRequiredService<ILogger<FileUploads>>());

    /// <summary>A relative root is under the content root, not the current directory, which depends on how the service was started.</summary>
    public static string ResolveRoot(string rootPath, IHostEnvironment? environment) =>
        Path.IsPathRooted(rootPath) ? rootPath : Path.Combine(environment?.ContentRootPath ?? AppContext.BaseDirectory, rootPath);
}

/// <summary>
/// Resolves every store when the host starts, so that a root that cannot be created fails the start, not the first
/// upload; and refuses two local stores on one directory, where each would see (and, on start, clean up) the other's files.
/// </summary>
internal sealed class FileStoreStartup(IServiceProvider services, FileStoreRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var roots = new List<(string Root, string Key)>();
        if (registry.DefaultKey is { } defaultKey)
        {
            Add(services.GetRequiredService<IFileStore>(), defaultKey);
        }

        foreach (var (name, key) in registry.Named())
        {
            Add(services.GetRequiredKeyedService<IFileStore>(name), key);
        }

        return Task.CompletedTask;

        void Add(IFileStore store, string key)
        {
            if (store is not LocalFileStore local)
            {
                return;
            }

            // Windows and macOS file systems are case-insensitive by default.
            var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            foreach (var (root, otherKey) in roots)
            {
                if (string.Equals(root, local.RootPath, comparison))
                {
                    throw new InvalidOperationException(
                        $"{key}:RootPath is the same directory as {otherKey}:RootPath ('{root}'); each file store needs a directory of its own.");
                }
            }

            roots.Add((local.RootPath, key));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Ready when the local store's root exists and a file can be created in it; other stores are always ready.</summary>
internal sealed class FileStoreHealthCheck(IFileStore store, string? name = null) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (store is not LocalFileStore local)
        {
            return HealthCheckResult.Healthy();
        }

        var probe = Path.Join(local.RootPath, FileStoreConstants.TempPrefix + "health-" + Guid.NewGuid().ToString("N"));
        try
        {
            await File.WriteAllBytesAsync(probe, [], cancellationToken).ConfigureAwait(false);
            File.Delete(probe);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // No exception text: it carries the path, and the health endpoint is public.
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                name is null ? "The file store's root directory is not writable." : $"The root directory of file store '{name}' is not writable.");
        }
    }
}

/// <summary>Rules across properties, with messages that name the full key.</summary>
internal sealed class FileStoreOptionsValidator(string optionsName, string key) : IValidateOptions<FileStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, FileStoreOptions options)
    {
        if (!string.Equals(optionsName, name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(options.Backend))
        {
            return ValidateOptionsResult.Fail($"{key}:Backend must be Local or InMemory.");
        }

        if (options.Backend == FileStoreBackend.Local && string.IsNullOrWhiteSpace(options.RootPath))
        {
            return ValidateOptionsResult.Fail($"{key}:RootPath is required when {key}:Backend is Local.");
        }

        if (options.RootPath?.IndexOfAny(Path.GetInvalidPathChars()) >= 0 || options.RootPath?.Contains('\0', StringComparison.Ordinal) == true)
        {
            return ValidateOptionsResult.Fail($"{key}:RootPath is not a valid path.");
        }

        return ValidateOptionsResult.Success;
    }
}

internal static class FileStoreHealth
{
    public const string Name = "files";

    /// <summary>The check of a named store: <c>files:pictures</c>.</summary>
    public static string NameOf(string storeName) => Name + ":" + storeName;

    public static readonly string[] Tags = [KitHealthTags.Ready];
}

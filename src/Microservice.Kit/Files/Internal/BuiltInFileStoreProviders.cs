using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Files;

/// <summary>The <c>Local</c> provider: <see cref="LocalFileStore"/> with <see cref="LocalFileStoreOptions"/>.</summary>
internal sealed class LocalFileStoreProvider : FileStoreProvider
{
    public const string BackendName = "Local";

    public static readonly LocalFileStoreProvider Instance = new();

    public override string Backend => BackendName;

    public override void ConfigureStore(FileStoreBuilder store)
    {
        store.AddProviderOptions<LocalFileStoreOptions>(BackendName);

        // After configuration and code, so that only an unset root takes the default; beside the unnamed store's
        // data/files rather than inside it.
        var root = store.Name is null ? "data/files" : FileStoreConstants.DefaultDataDirectory + "/" + store.Name;
        store.Services.AddOptions<LocalFileStoreOptions>(store.OptionsName).PostConfigure(options => options.RootPath ??= root);
        var optionsName = store.OptionsName;
        var key = store.ConfigurationKey;
        store.Services.AddSingleton<IValidateOptions<LocalFileStoreOptions>>(provider =>
            new Internal.LocalFileStoreOptionsValidator(optionsName, key, provider.GetRequiredService<IOptionsMonitor<FileStoreOptions>>()));
    }

    public override IFileStore Create(IServiceProvider services, FileStoreContext store)
    {
        var options = services.GetRequiredService<IOptionsMonitor<LocalFileStoreOptions>>().Get(store.OptionsName);
        return new LocalFileStore(
            Internal.FileStoreFactory.ResolveRoot(options.RootPath!, services.GetService<IHostEnvironment>()),
            options.FlushToDisk,
            services.GetService<TimeProvider>(),
            services.GetService<ILogger<LocalFileStore>>(),
            options.MaxTotalBytes,
            options.MinFreeBytes);
    }

    public override string? DescribeLocation(IFileStore store) => store is LocalFileStore local ? "local:" + local.RootPath : null;

    /// <summary>Ready when the root exists and a file can be created in it.</summary>
    public override async Task<HealthCheckResult> CheckReadinessAsync(IFileStore store, FileStoreContext context, CancellationToken cancellationToken)
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
            return HealthCheckResult.Unhealthy(context.Name is null
                ? "The file store's root directory is not writable."
                : $"The root directory of file store '{context.Name}' is not writable.");
        }
    }
}

/// <summary>The <c>InMemory</c> provider: <see cref="InMemoryFileStore"/>, for tests.</summary>
internal sealed class InMemoryFileStoreProvider : FileStoreProvider
{
    public const string BackendName = "InMemory";

    public static readonly InMemoryFileStoreProvider Instance = new();

    public override string Backend => BackendName;

    public override IFileStore Create(IServiceProvider services, FileStoreContext store) => new InMemoryFileStore(services.GetService<TimeProvider>());
}

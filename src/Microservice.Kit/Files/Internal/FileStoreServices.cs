using Microservice.Kit.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Files.Internal;

/// <summary>Registered once by <c>AddFileStore</c>; its presence makes a second call only add options.</summary>
internal sealed class FileStoreMarker;

internal static class FileStoreFactory
{
    public static IFileStore Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<FileStoreOptions>>().Value;
        var timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        return options.Backend switch
        {
            FileStoreBackend.InMemory => new InMemoryFileStore(timeProvider),
            _ => new LocalFileStore(
                ResolveRoot(options.RootPath!, services.GetService<IHostEnvironment>()),
                options.FlushToDisk,
                timeProvider,
                services.GetService<ILogger<LocalFileStore>>()),
        };
    }

    /// <summary>A relative root is under the content root, not the current directory, which depends on how the service was started.</summary>
    public static string ResolveRoot(string rootPath, IHostEnvironment? environment) =>
        Path.IsPathRooted(rootPath) ? rootPath : Path.Combine(environment?.ContentRootPath ?? AppContext.BaseDirectory, rootPath);
}

/// <summary>Resolves the store when the host starts, so that a root that cannot be created fails the start, not the first upload.</summary>
internal sealed class FileStoreStartup(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<IFileStore>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Ready when the local store's root exists and a file can be created in it; other stores are always ready.</summary>
internal sealed class FileStoreHealthCheck(IFileStore store) : IHealthCheck
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
            return new HealthCheckResult(context.Registration.FailureStatus, "The file store's root directory is not writable.");
        }
    }
}

/// <summary>Rules across properties, with messages that name the full key.</summary>
internal sealed class FileStoreOptionsValidator(string key) : IValidateOptions<FileStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, FileStoreOptions options)
    {
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

    public static readonly string[] Tags = [KitHealthTags.Ready];
}

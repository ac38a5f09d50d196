using Microservice.Kit.Files;
using Microservice.Kit.Problems;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.S3.Files.Internal;

/// <summary>The <c>S3</c> provider: <see cref="S3FileStore"/> with <see cref="S3FileStoreOptions"/> bound from the store's section.</summary>
internal sealed class S3FileStoreProvider : FileStoreProvider
{
    public const string BackendName = "S3";

    public static readonly S3FileStoreProvider Instance = new();

    public override string Backend => BackendName;

    public override void ConfigureStore(FileStoreBuilder store) => store.AddProviderOptions<S3FileStoreOptions>(BackendName);

    public override IFileStore Create(IServiceProvider services, FileStoreContext store)
    {
        var options = services.GetRequiredService<IOptionsMonitor<S3FileStoreOptions>>().Get(store.OptionsName);
        return new S3FileStore(
            S3ClientFactory.Create(options),
            ownsClient: true,
            options.Bucket!,
            options.Prefix,
            options.PartSizeBytes,
            services.GetService<IFileStoreArbiter>(),
            services.GetService<TimeProvider>(),
            services.GetService<ILogger<S3FileStore>>())
        {
            AbandonedUploadAge = options.AbandonedUploadAge,
        };
    }

    public override string? DescribeLocation(IFileStore store) => (store as S3FileStore)?.Location;

    public override async Task StartAsync(IFileStore store, FileStoreContext context, CancellationToken cancellationToken)
    {
        if (store is not S3FileStore s3)
        {
            return;
        }

        var logger = s3.Logger;
        try
        {
            var removed = await s3.RemoveAbandonedUploadsAsync(s3.StartedAt - s3.AbandonedUploadAge, cancellationToken).ConfigureAwait(false);
            if (removed > 0)
            {
                Log.AbandonedUploadsRemoved(logger, removed, context.DisplayName, "cleanup");
            }
        }
        catch (DependencyUnavailableException exception)
        {
            // Start anyway: readiness reports the store, and the service recovers when it comes back.
            Log.StartUnavailable(logger, context.DisplayName, "cleanup", exception.InnerException?.GetType().Name ?? exception.GetType().Name);
        }
    }

    public override async Task<HealthCheckResult> CheckReadinessAsync(IFileStore store, FileStoreContext context, CancellationToken cancellationToken)
    {
        if (store is not S3FileStore s3)
        {
            return HealthCheckResult.Healthy();
        }

        try
        {
            await s3.ProbeAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (DependencyUnavailableException)
        {
            // No exception text: it can name the host and the bucket, and the health endpoint is public.
            return HealthCheckResult.Unhealthy(context.Name is null
                ? "The file store's object store is unreachable."
                : $"The object store of file store '{context.Name}' is unreachable.");
        }
    }
}

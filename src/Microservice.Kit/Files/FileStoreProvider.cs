using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microservice.Kit.Files;

/// <summary>
/// A kind of storage behind <see cref="IFileStore"/> (<c>Local</c>, <c>InMemory</c>, <c>S3</c>): what a provider package
/// implements to plug in, the way an authentication handler plugs into <c>AddAuthentication</c>. The kit wraps every
/// store it creates once with what all stores share (id rules, metadata sanitising, metrics tagged with the store's
/// name, logs, activities), so a provider implements storage only.
/// </summary>
/// <remarks>One instance serves every store of its kind; keep per-store state in the store it creates.</remarks>
public abstract class FileStoreProvider
{
    /// <summary>The name <see cref="FileStoreOptions.Backend"/> selects this provider by, compared without case (<c>S3</c>).</summary>
    public abstract string Backend { get; }

    /// <summary>
    /// Registers what the provider needs for one store, typically its options with
    /// <see cref="FileStoreBuilder.AddProviderOptions{TOptions}(string, Action{TOptions}?)"/>. Called once for every
    /// store, whichever provider the store ends up using, so that configuration alone can select this one.
    /// </summary>
    /// <param name="store">The store being added.</param>
    public virtual void ConfigureStore(FileStoreBuilder store)
    {
    }

    /// <summary>Creates the store described by <paramref name="store"/>; called once, when it is first resolved.</summary>
    /// <param name="services">The application's services (options, logging, <see cref="TimeProvider"/>).</param>
    /// <param name="store">The store's name, options name and configuration key.</param>
    /// <returns>The store; the kit wraps it before anyone else sees it.</returns>
    public abstract IFileStore Create(IServiceProvider services, FileStoreContext store);

    /// <summary>
    /// Where a store keeps its files (<c>local:/srv/files</c>, <c>s3:http://host/bucket/prefix</c>), or
    /// <see langword="null"/> when it shares nothing: two stores with the same location are refused on start, since each would
    /// see (and clean up) the other's files.
    /// </summary>
    /// <param name="store">A store this provider created.</param>
    /// <returns>The location, or <see langword="null"/>.</returns>
    public virtual string? DescribeLocation(IFileStore store) => null;

    /// <summary>
    /// Runs when the host starts, after every store is created: start-up cleanup (unfinished uploads of an earlier run).
    /// Throw only for a setting that cannot work; a dependency that is down now should be logged and left to the
    /// readiness check, so that the service starts and recovers when it comes back.
    /// </summary>
    /// <param name="store">A store this provider created.</param>
    /// <param name="context">The store's name and configuration key.</param>
    /// <param name="cancellationToken">Cancelled when start-up is abandoned.</param>
    /// <returns>A task that completes when the store is started.</returns>
    public virtual Task StartAsync(IFileStore store, FileStoreContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The readiness check of one store (<c>files</c> or <c>files:&lt;name&gt;</c>): can it store a file now?</summary>
    /// <param name="store">A store this provider created.</param>
    /// <param name="context">The store's name and configuration key.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Healthy, or unhealthy with a description that names no path, host or secret (the health endpoint is public).</returns>
    public virtual Task<HealthCheckResult> CheckReadinessAsync(IFileStore store, FileStoreContext context, CancellationToken cancellationToken) =>
        Task.FromResult(HealthCheckResult.Healthy());
}

/// <summary>Which store a <see cref="FileStoreProvider"/> is asked about.</summary>
/// <param name="Name">The store's name, or <see langword="null"/> for the unnamed store.</param>
/// <param name="OptionsName">The name of the store's options (<see cref="Microsoft.Extensions.Options.Options.DefaultName"/> for the unnamed store).</param>
/// <param name="ConfigurationKey">The store's configuration section (<c>MicroserviceKit:Files:Stores:pictures</c>), for messages.</param>
public sealed record FileStoreContext(string? Name, string OptionsName, string ConfigurationKey)
{
    /// <summary>The store's name as metrics and logs show it: its name, or <c>default</c> for the unnamed store.</summary>
    public string DisplayName => Name ?? "default";
}

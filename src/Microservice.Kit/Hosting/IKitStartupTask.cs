namespace Microservice.Kit.Hosting;

/// <summary>
/// Work that must finish before the service accepts requests: creating tables and indexes, migrating a schema, loading
/// a key ring. Register it with <see cref="MicroserviceKitBuilderExtensions.AddStartupTask{TTask}(IMicroserviceKitBuilder)"/>;
/// the kit runs every task once, in registration order, while the host is starting and before any hosted service (the
/// web server included) starts. A task that throws stops the start.
/// </summary>
public interface IKitStartupTask
{
    /// <summary>Does the work.</summary>
    /// <param name="cancellationToken">Fires when the start is abandoned.</param>
    /// <returns>A task that completes when the work is done.</returns>
    Task RunAsync(CancellationToken cancellationToken);
}

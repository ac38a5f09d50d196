using Microsoft.Extensions.Hosting;

namespace Microservice.Kit.Hosting.Internal;

/// <summary>
/// Runs every <see cref="IKitStartupTask"/> in <see cref="IHostedLifecycleService.StartingAsync"/>, which the host calls
/// before any hosted service starts, the web server included: requests never meet a schema that is not there yet.
/// </summary>
internal sealed class KitStartupTaskRunner(IEnumerable<IKitStartupTask> tasks) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        foreach (var task in tasks)
        {
            await task.RunAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The readiness checks added through the extensibility API, so that adding one twice adds it once.</summary>
internal sealed class ReadinessCheckNames
{
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
}

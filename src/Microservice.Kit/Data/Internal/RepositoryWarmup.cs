using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Microservice.Kit.Data.Internal;

/// <summary>A repository type registered by <c>AddRepository</c>.</summary>
internal sealed record RepositoryRegistration(Type RepositoryType);

/// <summary>
/// Creates every registered repository before the host starts anything else (the server included), so that each
/// builds its LiteDB mapping and indexes before requests arrive rather than while other repositories are serving
/// them: LiteDB 5.0.21's mapper cache is not safe to extend while it is being read (see <see cref="MapperWarmup"/>).
/// </summary>
internal sealed class RepositoryWarmup(IServiceProvider services, IEnumerable<RepositoryRegistration> registrations) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        foreach (var registration in registrations)
        {
            var repository = services.GetRequiredService(registration.RepositoryType);
            (repository as IRepositoryInitializer)?.Initialize();
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Lets the warm-up create a repository's indexes without knowing its entity type.</summary>
internal interface IRepositoryInitializer
{
    void Initialize();
}

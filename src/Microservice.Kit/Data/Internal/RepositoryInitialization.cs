using Microservice.Kit.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Data.Internal;

/// <summary>A repository registered by <c>AddRepository</c>, by its service type.</summary>
internal sealed record RepositoryRegistration(Type RepositoryType);

/// <summary>
/// Builds every registered repository and creates its collection (table) and indexes before the server accepts
/// requests, one after the other: LiteDB's mapper must not be extended while it is being read (see
/// <see cref="MapperWarmup"/>), and a missing table must never be met by a request.
/// </summary>
internal sealed class RepositoryInitialization(IServiceProvider services, IEnumerable<RepositoryRegistration> registrations) : IKitStartupTask
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var registration in registrations)
        {
            var repository = services.GetRequiredService(registration.RepositoryType);
            if (repository is IKitRepository kit)
            {
                await kit.InitializeAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

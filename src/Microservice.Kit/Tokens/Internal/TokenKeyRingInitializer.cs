using Microsoft.Extensions.Hosting;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// Loads or generates the signing keys while the host starts, so that an unreadable key directory or a bad PEM stops
/// the service at start instead of failing its first token request.
/// </summary>
internal sealed class TokenKeyRingInitializer(LocalKeyRing ring) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = ring.State;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

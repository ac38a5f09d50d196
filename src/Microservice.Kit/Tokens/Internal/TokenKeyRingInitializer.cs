using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// Loads or makes the signing keys while the host starts, so that an unreadable key store or a bad PEM stops the service
/// at start instead of failing its first token request; then reloads the ring every
/// <see cref="TokenOptions.KeyRingRefreshInterval"/>, so that a replica learns keys another one rotated before they sign.
/// </summary>
internal sealed class TokenKeyRingInitializer(LocalKeyRing ring, IOptions<TokenOptions> options, TimeProvider timeProvider, ILogger<TokenKeyRingInitializer> logger)
    : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _refreshing;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await ring.InitializeAsync(cancellationToken).ConfigureAwait(false);
        if (ring.IsStored)
        {
            _refreshing = RefreshAsync(options.Value.KeyRingRefreshInterval, _stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_refreshing is { } refreshing)
        {
            await refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RefreshAsync(TimeSpan interval, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, timeProvider, stopping).ConfigureAwait(false);
                await ring.ReloadAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The store is down: keep signing and validating with the keys loaded last, and try again next interval.
                Log.KeyRingReloadFailed(logger, exception.GetType().Name, exception);
            }
        }
    }
}

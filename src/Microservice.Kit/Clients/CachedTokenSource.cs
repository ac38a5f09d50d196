namespace Microservice.Kit.Clients;

/// <summary>
/// A token obtained from a callback (a client-credentials grant, the kit's own issuer, a vault) and reused until
/// shortly before it expires. Concurrent callers share one acquisition; a failed acquisition is tried again by
/// the next call.
/// </summary>
public sealed class CachedTokenSource : ITokenSource
{
    private readonly Func<CancellationToken, ValueTask<ServiceToken>> _acquire;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _refreshBefore;
    private readonly Lock _gate = new();
    private Entry? _current;
    private Task<Entry>? _pending;

    /// <summary>Creates the source.</summary>
    /// <param name="acquire">
    /// Obtains a new token. It is not cancelled when one waiting caller gives up, since others may wait for it.
    /// </param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="refreshBefore">
    /// How long before expiry a new token is obtained, so that a token never expires in flight; at most half the
    /// token's lifetime is used. <see langword="null"/> for the default of 30 seconds.
    /// </param>
    public CachedTokenSource(Func<CancellationToken, ValueTask<ServiceToken>> acquire, TimeProvider? timeProvider = null, TimeSpan? refreshBefore = null)
    {
        ArgumentNullException.ThrowIfNull(acquire);
        var margin = refreshBefore ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThan(margin, TimeSpan.Zero, nameof(refreshBefore));
        _acquire = acquire;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _refreshBefore = margin;
    }

    /// <inheritdoc />
    public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        return current is not null && _timeProvider.GetUtcNow() < current.RefreshAt
            ? new ValueTask<string?>(current.Token.Value)
            : RefreshAsync(cancellationToken);
    }

    private async ValueTask<string?> RefreshAsync(CancellationToken cancellationToken)
    {
        Task<Entry> pending;
        lock (_gate)
        {
            var current = _current;
            if (current is not null && _timeProvider.GetUtcNow() < current.RefreshAt)
            {
                return current.Token.Value;
            }

            if (_pending is null || _pending.IsCompleted)
            {
                _pending = AcquireAsync();
            }

            pending = _pending;
        }

        var entry = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        return entry.Token.Value;
    }

    private async Task<Entry> AcquireAsync()
    {
        await Task.Yield();
        var token = await _acquire(CancellationToken.None).ConfigureAwait(false);
        var now = _timeProvider.GetUtcNow();
        var lifetime = token.ExpiresAt - now;
        var margin = lifetime <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(_refreshBefore.Ticks, lifetime.Ticks / 2));
        var entry = new Entry(token, token.ExpiresAt - margin);
        Volatile.Write(ref _current, entry);
        return entry;
    }

    private sealed record Entry(ServiceToken Token, DateTimeOffset RefreshAt);
}

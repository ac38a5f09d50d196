namespace Microservice.Kit.Files;

/// <summary>
/// The default <see cref="IFileStoreArbiter"/>: one semaphore per key in use, within this process, which is exact for
/// one replica. Every key a lease of another arbiter instance holds is free here: two arbiters stand for two processes.
/// </summary>
public sealed class InProcessFileStoreArbiter : IFileStoreArbiter
{
    private readonly Dictionary<(string, string), Entry> _held = [];

    /// <inheritdoc/>
    public async ValueTask<IAsyncDisposable> AcquireAsync(string scope, string fileId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(fileId);
        var key = (scope, fileId);
        var entry = Enter(key);
        try
        {
            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(key, entry);
            throw;
        }

        return new Lease(this, key, entry);
    }

    /// <inheritdoc/>
    public ValueTask<IFileStoreLease?> TryAcquireAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        var held = (scope, key);
        var entry = Enter(held);
        if (!entry.Gate.Wait(0, CancellationToken.None))
        {
            Leave(held, entry);
            return ValueTask.FromResult<IFileStoreLease?>(null);
        }

        return ValueTask.FromResult<IFileStoreLease?>(new Lease(this, held, entry));
    }

    private Entry Enter((string, string) key)
    {
        lock (_held)
        {
            if (!_held.TryGetValue(key, out var entry))
            {
                entry = new Entry();
                _held.Add(key, entry);
            }

            entry.Users++;
            return entry;
        }
    }

    // The entry goes when its last user leaves, so that the dictionary holds only keys in use.
    private void Leave((string, string) key, Entry entry)
    {
        lock (_held)
        {
            if (--entry.Users == 0)
            {
                _held.Remove(key);
                entry.Dispose();
            }
        }
    }

    private sealed class Entry : IDisposable
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Users;

        public void Dispose() => Gate.Dispose();
    }

    private sealed class Lease(InProcessFileStoreArbiter owner, (string, string) key, Entry entry) : IFileStoreLease
    {
        private int _disposed;

        // In one process nothing but disposing takes a lease away.
        public ValueTask<bool> IsHeldAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Volatile.Read(ref _disposed) == 0);

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                entry.Gate.Release();
                owner.Leave(key, entry);
            }

            return ValueTask.CompletedTask;
        }
    }
}

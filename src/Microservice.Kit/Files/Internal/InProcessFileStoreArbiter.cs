namespace Microservice.Kit.Files.Internal;

/// <summary>The default <see cref="IFileStoreArbiter"/>: one semaphore per id in use, within this process.</summary>
internal sealed class InProcessFileStoreArbiter : IFileStoreArbiter
{
    private readonly Dictionary<(string, string), Entry> _held = [];

    public async ValueTask<IAsyncDisposable> AcquireAsync(string scope, string fileId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(fileId);
        var key = (scope, fileId);
        Entry entry;
        lock (_held)
        {
            if (!_held.TryGetValue(key, out entry!))
            {
                entry = new Entry();
                _held.Add(key, entry);
            }

            entry.Users++;
        }

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

    // The entry goes when its last user leaves, so that the dictionary holds only ids being published.
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

    private sealed class Lease(InProcessFileStoreArbiter owner, (string, string) key, Entry entry) : IAsyncDisposable
    {
        private int _disposed;

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

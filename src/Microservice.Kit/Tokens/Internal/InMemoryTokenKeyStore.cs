namespace Microservice.Kit.Tokens.Internal;

/// <summary>The key ring without <see cref="TokenOptions.KeyDirectory"/> or a database: keys live as long as the process.</summary>
internal sealed class InMemoryTokenKeyStore : ITokenKeyStore
{
    private readonly Lock _lock = new();
    private readonly List<StoredTokenKey> _keys = [];

    public Task<IReadOnlyList<StoredTokenKey>> LoadAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<StoredTokenKey>>([.. _keys]);
        }
    }

    public Task<bool> TryAddAsync(StoredTokenKey key, bool onlyIfEmpty, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            if (onlyIfEmpty && _keys.Count > 0)
            {
                return Task.FromResult(false);
            }

            _keys.Add(key);
            return Task.FromResult(true);
        }
    }

    public Task<bool> RetireAsync(string keyId, DateTimeOffset retiredAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var index = _keys.FindIndex(k => k.KeyId == keyId);
            if (index < 0)
            {
                return Task.FromResult(false);
            }

            var old = _keys[index];
            if (old.RetiredAt is null || retiredAt < old.RetiredAt)
            {
                _keys[index] = new StoredTokenKey(old.KeyId, old.Algorithm, old.PrivateKey, old.CreatedAt, old.ActivatesAt, retiredAt);
            }

            return Task.FromResult(true);
        }
    }

    public Task<int> RemoveRetiredAsync(DateTimeOffset retiredBefore, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_keys.RemoveAll(k => k.RetiredAt < retiredBefore));
        }
    }
}

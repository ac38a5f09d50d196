using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// This service's own keys, kept in an <see cref="ITokenKeyStore"/> that every replica may share. The newest key whose
/// activation has passed signs; every key not yet retired is published and validates, pending ones included, so a
/// rotated key is known everywhere before it signs. Replicas reload the ring every <see cref="TokenOptions.KeyRingRefreshInterval"/>
/// (<see cref="TokenKeyRingInitializer"/>) and on an unknown <c>kid</c> (<see cref="FindKeyAsync"/>). HS256 secrets and
/// configured PEM keys make a fixed ring without a store.
/// </summary>
internal sealed class LocalKeyRing : IDisposable, IValidationKeySource, ITokenKeyManager
{
    public const string KeyFileName = FileTokenKeyStore.KeyFileName;

    private readonly TokenOptions _options;
    private readonly ITokenKeyStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _loadGate = new(1, 1);
    private readonly Lock _stateLock = new();
    private readonly bool _fixed;
    private volatile RingState? _state;

    // Parsed keys by kid: a reload that finds the same keys reuses their crypto objects (and the same KeySet).
    private Dictionary<string, LocalKey> _parsed = new(StringComparer.Ordinal);
    private long _lastUnknownKeyReloadTicks;

    public LocalKeyRing(IOptions<TokenOptions> options, ITokenKeyStore store, TimeProvider timeProvider, ILogger<LocalKeyRing> logger)
    {
        _options = options.Value;
        _store = store;
        _timeProvider = timeProvider;
        _logger = logger;
        _fixed = _options.Algorithm == TokenSigningAlgorithm.HS256 || !string.IsNullOrEmpty(_options.PrivateKeyPem);
    }

    /// <summary>Whether the keys come from a store (and so rotate and reload) rather than from configuration.</summary>
    public bool IsStored => !_fixed;

    /// <summary>The keys, the validation key set and the JWKS document, replaced together.</summary>
    /// <remarks>
    /// Hosts load the ring while they start (<see cref="TokenKeyRingInitializer"/>); a service provider without hosted
    /// services (a test, a benchmark) loads it here on first use, blocking once.
    /// </remarks>
    internal RingState State => Current(_state ?? InitializeAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult());

    /// <summary>The key that signs now.</summary>
    public LocalKey SigningKey => State.SigningKeyAt(_timeProvider.GetUtcNow());

    public void Dispose() => _loadGate.Dispose();

    public async ValueTask<RingState> InitializeAsync(CancellationToken cancellationToken)
    {
        if (_state is { } ready)
        {
            return ready;
        }

        if (_fixed)
        {
            var now = _timeProvider.GetUtcNow();
            var key = _options.Algorithm == TokenSigningAlgorithm.HS256
                ? LocalKey.FromSecret(_options.Secret ?? throw new InvalidOperationException("MicroserviceKit:Tokens:Secret is required for HS256."), now)
                : LocalKey.FromPem(_options.PrivateKeyPem!, _options.Algorithm, now);
            lock (_stateLock)
            {
                return _state ??= new RingState([new RingEntry(key, DateTimeOffset.MinValue, RetiredAt: null)], epoch: 0, now);
            }
        }

        var records = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (await EnsureSigningKeyAsync(records, cancellationToken).ConfigureAwait(false))
        {
            records = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        }

        return Apply(records, onlyIfFirst: true);
    }

    /// <summary>Reads the store again, for keys another replica rotated, retired or revoked.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        if (_fixed)
        {
            return;
        }

        await _loadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var records = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
            var state = Apply(records, onlyIfFirst: false);
            Log.KeyRingReloaded(_logger, state.Entries.Count);
        }
        finally
        {
            _loadGate.Release();
        }
    }

    // Every validation asks for the keys: no state machine once the ring is loaded.
    public ValueTask<KeySet> GetAsync(CancellationToken cancellationToken) =>
        _state is { } state ? ValueTask.FromResult(Current(state).KeySet) : LoadThenGetAsync(cancellationToken);

    private async ValueTask<KeySet> LoadThenGetAsync(CancellationToken cancellationToken) =>
        Current(await InitializeAsync(cancellationToken).ConfigureAwait(false)).KeySet;

    /// <summary>
    /// A well-formed but unknown <c>kid</c> may be a key another replica has just added: reload the ring, at most once
    /// per <see cref="TokenOptions.JwksMinimumRefreshInterval"/> so that random <c>kid</c>s cannot hammer the store.
    /// A store that cannot be read leaves the ring as it was.
    /// </summary>
    public async ValueTask<KeySet> RefreshForUnknownKeyAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow().UtcTicks;
        var last = Volatile.Read(ref _lastUnknownKeyReloadTicks);
        if (_fixed || (last != 0 && now - last < _options.JwksMinimumRefreshInterval.Ticks)
            || Interlocked.CompareExchange(ref _lastUnknownKeyReloadTicks, now, last) != last)
        {
            return await GetAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Validation goes on with the keys this replica has; the failure is logged, the token is judged on them.
            Log.KeyRingReloadFailed(_logger, exception.GetType().Name, exception);
        }

        return await GetAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The key with this <c>kid</c>, reloading the ring (rate-limited) when it is unknown; <see langword="null"/> if there is none.</summary>
    public async ValueTask<TrustedKey?> FindKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var keys = await GetAsync(cancellationToken).ConfigureAwait(false);
        if (keys.ByKeyId.TryGetValue(keyId, out var key))
        {
            return key;
        }

        if (!KeyIds.IsWellFormed(keyId))
        {
            return null;
        }

        keys = await RefreshForUnknownKeyAsync(cancellationToken).ConfigureAwait(false);
        return keys.ByKeyId.GetValueOrDefault(keyId);
    }

    public IReadOnlyList<TokenKeyInfo> GetKeys()
    {
        var state = State;
        var signing = state.SigningEntryAt(_timeProvider.GetUtcNow());
        return [.. state.Entries.Select(e => new TokenKeyInfo(e.Key.KeyId, e.Key.Algorithm, e.Key.CreatedAt, ReferenceEquals(e, signing))
        {
            ActivatesAt = e.ActivatesAt,
            RetiresAt = e.RetiredAt,
        })];
    }

    public async Task<TokenKeyInfo> RotateAsync(TimeSpan? activationDelay = null, CancellationToken cancellationToken = default)
    {
        var delay = activationDelay ?? _options.KeyActivationDelay;
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero, nameof(activationDelay));
        EnsureStored();
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var now = _timeProvider.GetUtcNow();
        var key = LocalKey.Generate(_options.Algorithm, now);
        var record = new StoredTokenKey(key.KeyId, key.Algorithm, key.Pkcs8!, now, now + delay, retiredAt: null);
        await _store.TryAddAsync(record, onlyIfEmpty: false, cancellationToken).ConfigureAwait(false);
        Log.KeyGenerated(_logger, key.KeyId, key.Algorithm);
        Log.KeyActivationScheduled(_logger, key.KeyId, record.ActivatesAt);
        await RemoveLeftKeysAsync(now, cancellationToken).ConfigureAwait(false);
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        return GetKeys().Single(k => k.KeyId == key.KeyId);
    }

    public Task<bool> RetireAsync(string keyId, CancellationToken cancellationToken = default) => EndAsync(keyId, revoke: false, cancellationToken);

    public Task<bool> RevokeAsync(string keyId, CancellationToken cancellationToken = default) => EndAsync(keyId, revoke: true, cancellationToken);

    private async Task<bool> EndAsync(string keyId, bool revoke, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        EnsureStored();
        // Decide on the store's current view, not on this replica's possibly older one.
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        var state = State;
        var now = _timeProvider.GetUtcNow();
        var entry = state.Entries.FirstOrDefault(e => e.Key.KeyId == keyId);
        if (entry is null)
        {
            return false;
        }

        if (ReferenceEquals(entry, state.SigningEntryAt(now)))
        {
            throw new InvalidOperationException($"Key '{keyId}' signs new tokens; rotate to a new key and let it activate before retiring this one.");
        }

        var leavesAt = revoke ? now : state.DrainedAt(entry, now, _options.Lifetime + _options.ClockSkew);
        if (!await _store.RetireAsync(keyId, leavesAt, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (revoke)
        {
            Log.KeyRevoked(_logger, keyId);
        }
        else
        {
            Log.KeyRetired(_logger, keyId, leavesAt);
        }

        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Makes sure the store has a key that can sign: the very first key (one, however many issuers start at once on
    /// an empty store), a key when every one has been retired, or a key of a newly configured algorithm.
    /// </summary>
    /// <returns>Whether the store was changed (by this call or a concurrent one) and must be read again.</returns>
    private async Task<bool> EnsureSigningKeyAsync(IReadOnlyList<StoredTokenKey> records, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var algorithm = LocalKey.AlgorithmName(_options.Algorithm);
        var usable = records.Where(r => r.RetiredAt is null).ToList();
        if (usable.Any(r => r.Algorithm == algorithm))
        {
            return false;
        }

        var key = LocalKey.Generate(_options.Algorithm, now);
        // Nothing signs yet (an empty ring, or every key retired): the key signs at once, as nobody can hold a token
        // another key would have signed. Otherwise the algorithm changed: the new key waits like any rotated key.
        var activatesAt = usable.Count == 0 ? now : now + _options.KeyActivationDelay;
        var record = new StoredTokenKey(key.KeyId, key.Algorithm, key.Pkcs8!, now, activatesAt, retiredAt: null);
        if (await _store.TryAddAsync(record, onlyIfEmpty: records.Count == 0, cancellationToken).ConfigureAwait(false))
        {
            Log.KeyGenerated(_logger, key.KeyId, key.Algorithm);
            if (_store is InMemoryTokenKeyStore)
            {
                Log.EphemeralKey(_logger, key.KeyId);
            }
        }

        return true;
    }

    private async Task RemoveLeftKeysAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A day after a key left the ring its private half has no use left; deleting it keeps the store small.
        var removed = await _store.RemoveRetiredAsync(now - TimeSpan.FromDays(1), cancellationToken).ConfigureAwait(false);
        if (removed > 0)
        {
            Log.KeysRemoved(_logger, removed);
        }
    }

    private void EnsureStored()
    {
        if (_fixed)
        {
            throw new InvalidOperationException(
                "Keys from MicroserviceKit:Tokens:Secret or PrivateKeyPem are rotated by changing configuration, not by the key manager.");
        }
    }

    /// <summary>Turns store records into the ring's state; with <paramref name="onlyIfFirst"/>, keeps a state another caller set first.</summary>
    private RingState Apply(IReadOnlyList<StoredTokenKey> records, bool onlyIfFirst)
    {
        var now = _timeProvider.GetUtcNow();
        var parsed = new Dictionary<string, LocalKey>(StringComparer.Ordinal);
        var entries = new List<RingEntry>(records.Count);
        var previous = _parsed;
        foreach (var record in records)
        {
            if (!previous.TryGetValue(record.KeyId, out var key) || key.Algorithm != record.Algorithm)
            {
                key = LocalKey.FromStored(record);
            }

            parsed[record.KeyId] = key;
            entries.Add(new RingEntry(key, record.ActivatesAt, record.RetiredAt));
        }

        lock (_stateLock)
        {
            var current = _state;
            if (onlyIfFirst && current is not null)
            {
                return current;
            }

            if (current is not null && current.SameEntries(entries, now))
            {
                return current;
            }

            var state = new RingState(entries, current?.KeySet.Epoch ?? 0, now, current?.KeySet);
            _parsed = parsed;
            _state = state;
            return state;
        }
    }

    /// <summary>Drops keys whose time to leave has come since the state was built, without waiting for a reload.</summary>
    private RingState Current(RingState state)
    {
        var now = _timeProvider.GetUtcNow();
        if (now < state.NextExpiry)
        {
            return state;
        }

        lock (_stateLock)
        {
            var current = _state ?? state;
            if (now < current.NextExpiry)
            {
                return current;
            }

            var next = new RingState(current.Entries, current.KeySet.Epoch, now, current.KeySet);
            _state = next;
            return next;
        }
    }
}

/// <summary>A key with its lifecycle.</summary>
internal sealed record RingEntry(LocalKey Key, DateTimeOffset ActivatesAt, DateTimeOffset? RetiredAt);

/// <summary>A consistent view of the ring: readers never see a key set and a JWKS document from different moments.</summary>
internal sealed class RingState
{
    public RingState(IReadOnlyList<RingEntry> entries, long epoch, DateTimeOffset now, KeySet? previous = null)
    {
        Entries = [.. entries.Where(e => e.RetiredAt is null || e.RetiredAt > now)];
        // Signing candidates, latest activation first; a retired key never signs, even while it still validates.
        Candidates = [.. Entries.Select((e, i) => (e, i)).Where(x => x.e.RetiredAt is null)
            .OrderByDescending(x => x.e.ActivatesAt).ThenByDescending(x => x.i).Select(x => x.e)];
        NextExpiry = Entries.Where(e => e.RetiredAt is not null).Select(e => e.RetiredAt!.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
        List<TrustedKey> trusted = [.. Entries.Select(e => e.Key.Trusted)];
        KeySet = new KeySet(trusted, previous?.NextEpoch(trusted) ?? epoch);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var entry in Entries)
            {
                entry.Key.WritePublicJwk(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        Jwks = buffer.ToArray();
    }

    /// <summary>The keys in the ring (published and validating), in the order they were added.</summary>
    public IReadOnlyList<RingEntry> Entries { get; }

    public KeySet KeySet { get; }

    /// <summary>The JWKS document, serialized once per change rather than per request.</summary>
    public byte[] Jwks { get; }

    /// <summary>When the next key leaves the ring.</summary>
    public DateTimeOffset NextExpiry { get; }

    // An array, walked with for: every issued token looks up its key here, and a foreach over an interface allocates.
    private RingEntry[] Candidates { get; }

    public LocalKey SigningKeyAt(DateTimeOffset now) => SigningEntryAt(now)?.Key
        ?? throw new InvalidOperationException("The token key ring has no key that may sign.");

    public RingEntry? SigningEntryAt(DateTimeOffset now)
    {
        var candidates = Candidates;
        for (var i = 0; i < candidates.Length; i++)
        {
            if (candidates[i].ActivatesAt <= now)
            {
                return candidates[i];
            }
        }

        // Only pending keys: a replica whose clock runs behind the one that made the first key. The earliest one signs
        // rather than nothing; it is published already.
        return candidates.Length == 0 ? null : candidates[^1];
    }

    /// <summary>
    /// When a superseded key has no unexpired token left: its successor activated at the latest moment it signed, and
    /// its last token lives <paramref name="tokenLifetime"/> from then. A key that never activated has signed nothing.
    /// </summary>
    public DateTimeOffset DrainedAt(RingEntry entry, DateTimeOffset now, TimeSpan tokenLifetime)
    {
        if (entry.ActivatesAt > now)
        {
            return now;
        }

        var supersededAt = Candidates.Where(c => !ReferenceEquals(c, entry) && c.ActivatesAt >= entry.ActivatesAt && c.ActivatesAt <= now)
            .Select(c => c.ActivatesAt).DefaultIfEmpty(now).Min();
        var drained = supersededAt + tokenLifetime;
        return drained > now ? drained : now;
    }

    /// <summary>Whether records read again describe this very ring, so that a reload that changed nothing keeps the state.</summary>
    public bool SameEntries(IReadOnlyList<RingEntry> all, DateTimeOffset now)
    {
        List<RingEntry> entries = [.. all.Where(e => e.RetiredAt is null || e.RetiredAt > now)];
        if (entries.Count != Entries.Count)
        {
            return false;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (!ReferenceEquals(entries[i].Key, Entries[i].Key) || entries[i].ActivatesAt != Entries[i].ActivatesAt || entries[i].RetiredAt != Entries[i].RetiredAt)
            {
                return false;
            }
        }

        return true;
    }
}

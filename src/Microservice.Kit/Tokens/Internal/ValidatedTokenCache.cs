using System.Collections.Concurrent;
using System.Numerics;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// Successful validations, keyed by the exact token string. Bounded by two generations of at most half the capacity
/// each: new entries go to the young generation; when it is full it becomes the old one and the previous old one is
/// dropped, and a hit in the old generation moves the entry back to the young one. That approximates LRU with no
/// per-hit bookkeeping beyond a dictionary lookup, which is what makes a hit cheap. Only valid outcomes are ever
/// added, and the validator adds a token only when <see cref="Admits"/> says it has validated recently before; every hit
/// re-checks the entry's expiry (the token's <c>exp</c>) and the key-set epoch of the issuer that validated it.
/// </summary>
internal sealed class ValidatedTokenCache
{
    private readonly int _generationSize;
    private readonly Lock _swapLock = new();
    private ConcurrentDictionary<string, Entry> _young = new(TokenComparer.Instance);
    private ConcurrentDictionary<string, Entry> _old = new(TokenComparer.Instance);
    private int _youngCount;

    // The doorkeeper: for each token validated but not cached yet, its fingerprint and when it was seen (a count of such
    // sightings), one per slot, no objects.
    private readonly long[] _seenOnce;
    private int _sightings;

    public ValidatedTokenCache(int capacity)
    {
        Capacity = capacity;
        _generationSize = Math.Max(1, capacity / 2);
        _seenOnce = capacity > 0 ? new long[BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 16))] : [];
    }

    public int Capacity { get; }

    public bool TryGet(string token, long nowUtcTicks, long epoch, out TokenValidationOutcome outcome)
    {
        if (TryGet(token, nowUtcTicks, out outcome, out _, out var entryEpoch))
        {
            if (entryEpoch == epoch)
            {
                return true;
            }

            Remove(token);
        }

        outcome = null!;
        return false;
    }

    /// <summary>
    /// A remembered, unexpired outcome with the trusted issuer (<paramref name="source"/>) and key-set epoch it was validated
    /// under; the caller compares the epoch with that issuer's current one and calls <see cref="Remove"/> when it moved on.
    /// </summary>
    public bool TryGet(string token, long nowUtcTicks, out TokenValidationOutcome outcome, out int source, out long epoch)
    {
        if (Capacity > 0)
        {
            var young = _young;
            if (young.TryGetValue(token, out var entry) || TryPromote(token.AsSpan(), out entry))
            {
                if (entry.ExpiresUtcTicks > nowUtcTicks)
                {
                    outcome = entry.Outcome;
                    source = entry.Source;
                    epoch = entry.Epoch;
                    return true;
                }

                Remove(token);
            }
        }

        outcome = null!;
        source = -1;
        epoch = 0;
        return false;
    }

    /// <summary>
    /// The same lookup for a token still inside its header (<c>Authorization: Bearer …</c>): a hit allocates nothing,
    /// where cutting the token out of the header first would copy ~600 characters on every request. A miss leaves the
    /// caller to make the string and take the full path, which also removes an expired entry.
    /// </summary>
    public bool TryGet(ReadOnlySpan<char> token, long nowUtcTicks, out TokenValidationOutcome outcome, out int source, out long epoch)
    {
        if (Capacity > 0)
        {
            var young = _young.GetAlternateLookup<ReadOnlySpan<char>>();
            if (young.TryGetValue(token, out var entry) || TryPromote(token, out entry))
            {
                if (entry.ExpiresUtcTicks > nowUtcTicks)
                {
                    outcome = entry.Outcome;
                    source = entry.Source;
                    epoch = entry.Epoch;
                    return true;
                }
            }
        }

        outcome = null!;
        source = -1;
        epoch = 0;
        return false;
    }

    public void Remove(string token) => _young.TryRemove(token, out _);

    /// <summary>
    /// Whether a token that has just validated should be added: only when it validated before, fewer than
    /// <see cref="Capacity"/> other uncached tokens ago (cache on second sight). An entry lives until two generations have
    /// filled after it, long enough to outlive the youngest collections, so caching a token that is not used again, or
    /// not before the cache drops it, would make the collector carry it for nothing: with every token new, that costs
    /// more than the validation itself. A token used again soon pays one more full validation, once.
    /// </summary>
    /// <remarks>
    /// A slot holds the last uncached token that hashed to it. Two tokens sharing a slot only delay each other's
    /// admission, and a fingerprint that matches by chance only admits a token that has just validated: the entry is
    /// still keyed by the whole token.
    /// </remarks>
    public bool Admits(string token)
    {
        if (Capacity == 0)
        {
            return false;
        }

        var hash = TokenComparer.Instance.GetHashCode(token);
        ref var slot = ref _seenOnce[hash & (_seenOnce.Length - 1)];
        var now = (uint)Interlocked.Increment(ref _sightings);
        var seen = Volatile.Read(ref slot);
        if (seen != 0 && (int)(seen >> 32) == hash && now - (uint)seen <= (uint)Capacity)
        {
            Volatile.Write(ref slot, 0);
            return true;
        }

        Volatile.Write(ref slot, ((long)hash << 32) | now);
        return false;
    }

    public void Add(string token, TokenValidationOutcome outcome, long epoch, int source = 0)
    {
        if (Capacity == 0 || !outcome.IsValid)
        {
            return;
        }

        var entry = new Entry(outcome, outcome.ExpiresAt.UtcTicks, epoch, source);
        if (_young.TryAdd(token, entry) && Interlocked.Increment(ref _youngCount) >= _generationSize)
        {
            Swap();
        }
    }

    private bool TryPromote(ReadOnlySpan<char> token, out Entry entry)
    {
        // The old generation holds the token's string already: promoting it allocates no new one.
        if (_old.GetAlternateLookup<ReadOnlySpan<char>>().TryRemove(token, out var key, out entry))
        {
            if (_young.TryAdd(key, entry) && Interlocked.Increment(ref _youngCount) >= _generationSize)
            {
                Swap();
            }

            return true;
        }

        return false;
    }

    private void Swap()
    {
        lock (_swapLock)
        {
            if (Volatile.Read(ref _youngCount) < _generationSize)
            {
                return;
            }

            _old = _young;
            _young = new ConcurrentDictionary<string, Entry>(TokenComparer.Instance);
            Volatile.Write(ref _youngCount, 0);
        }
    }

    /// <summary>
    /// Ordinal equality, hashing only the token's last characters (its signature). A first-seen token is hashed three
    /// times (two probes and the insert), and the randomized hash of a whole token (~600 characters) cost more than the
    /// rest of the cache work. Keys are only ever tokens that validated, whose signatures are unpredictable, so buckets
    /// stay short; a caller who sends tokens ending like a cached one pays one string comparison per lookup.
    /// </summary>
    internal sealed class TokenComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
    {
        private const int HashedLength = 32;

        public static readonly TokenComparer Instance = new();

        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

        public int GetHashCode(string token) => GetHashCode(token.AsSpan());

        public bool Equals(ReadOnlySpan<char> alternate, string other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<char> alternate) =>
            string.GetHashCode(alternate[Math.Max(0, alternate.Length - HashedLength)..], StringComparison.Ordinal);

        public string Create(ReadOnlySpan<char> alternate) => alternate.ToString();
    }

    private readonly record struct Entry(TokenValidationOutcome Outcome, long ExpiresUtcTicks, long Epoch, int Source);
}

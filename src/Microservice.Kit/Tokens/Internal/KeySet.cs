using System.Collections.Frozen;
using Microsoft.IdentityModel.Tokens;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>A key validation trusts, bound to the one algorithm it may be used with.</summary>
internal sealed record TrustedKey(string KeyId, string Algorithm, SecurityKey Key);

/// <summary>
/// An immutable snapshot of the keys validation trusts. <see cref="Epoch"/> changes whenever a key is removed, so that
/// the validated-token cache drops tokens signed by a retired key instead of serving them until they expire.
/// </summary>
internal sealed class KeySet
{
    public static readonly KeySet Empty = new([], 0);

    public KeySet(IReadOnlyList<TrustedKey> keys, long epoch)
    {
        Keys = keys;
        Epoch = epoch;
        ByKeyId = keys.ToFrozenDictionary(k => k.KeyId, StringComparer.Ordinal);
        AlgorithmByKeyId = keys.ToFrozenDictionary(k => k.KeyId, k => k.Algorithm, StringComparer.Ordinal);
        SecurityKeys = [.. keys.Select(k => k.Key)];
    }

    public IReadOnlyList<TrustedKey> Keys { get; }

    public long Epoch { get; }

    public FrozenDictionary<string, TrustedKey> ByKeyId { get; }

    public FrozenDictionary<string, string> AlgorithmByKeyId { get; }

    public SecurityKey[] SecurityKeys { get; }

    /// <summary>The epoch of a successor set: unchanged when every key of this set survives, else the next one.</summary>
    public long NextEpoch(IReadOnlyList<TrustedKey> successor)
    {
        var remaining = successor.Select(k => k.KeyId).ToHashSet(StringComparer.Ordinal);
        return Keys.All(k => remaining.Contains(k.KeyId)) ? Epoch : Epoch + 1;
    }
}

/// <summary>Where validation gets its keys: this service's own key ring, or another service's JWKS.</summary>
internal interface IValidationKeySource
{
    /// <summary>The current keys; may fetch when they are stale.</summary>
    ValueTask<KeySet> GetAsync(CancellationToken cancellationToken);

    /// <summary>Called for a well-formed but unknown <c>kid</c>: fetches again if the rate limit allows; returns the keys then current.</summary>
    ValueTask<KeySet> RefreshForUnknownKeyAsync(CancellationToken cancellationToken);
}

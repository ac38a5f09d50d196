namespace Microservice.Kit.Tokens;

/// <summary>
/// Where an issuer keeps its key ring. The kit ships a file store (<see cref="TokenOptions.KeyDirectory"/>) and a
/// memory store (no directory: keys die with the process); <c>Microservice.Kit.PostgreSql</c> adds a database every
/// replica shares. Register another implementation as a singleton <see cref="ITokenKeyStore"/> to replace them.
/// </summary>
/// <remarks>
/// <para>
/// A store only keeps records; the ring decides which key signs (the newest one whose
/// <see cref="StoredTokenKey.ActivatesAt"/> has passed and that is not retired) and which keys are published (every
/// key whose <see cref="StoredTokenKey.RetiredAt"/> has not passed, pending ones included).
/// </para>
/// <para>
/// Several processes may share one store. <see cref="TryAddAsync"/> with <c>onlyIfEmpty</c> must be atomic across all
/// of them, so that issuers starting at once on an empty store make exactly one key. A store keeps private keys at
/// least as safe as a file readable only by the service's user, and never writes key material to a log or a message.
/// </para>
/// </remarks>
public interface ITokenKeyStore
{
    /// <summary>Reads every key, retired ones included, in the order they were added.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The keys, oldest first.</returns>
    Task<IReadOnlyList<StoredTokenKey>> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Adds a key, durably, before the ring uses it.</summary>
    /// <param name="key">The key.</param>
    /// <param name="onlyIfEmpty">Add it only if the store holds no key at all, atomically with that check.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="false"/> if <paramref name="onlyIfEmpty"/> was set and the store already held a key; the key was not added.</returns>
    Task<bool> TryAddAsync(StoredTokenKey key, bool onlyIfEmpty, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the moment a key leaves the ring (stops validating and leaves JWKS). A key that already has an earlier
    /// moment keeps it, so that retiring and revoking in any order, from any replica, ends at the earliest.
    /// </summary>
    /// <param name="keyId">The key's <c>kid</c>.</param>
    /// <param name="retiredAt">When the key leaves the ring.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="false"/> if there is no such key.</returns>
    Task<bool> RetireAsync(string keyId, DateTimeOffset retiredAt, CancellationToken cancellationToken);

    /// <summary>Deletes keys that left the ring before a moment, so that expired private keys do not accumulate.</summary>
    /// <param name="retiredBefore">Keys whose <see cref="StoredTokenKey.RetiredAt"/> is earlier go.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>How many keys were deleted.</returns>
    Task<int> RemoveRetiredAsync(DateTimeOffset retiredBefore, CancellationToken cancellationToken);
}

/// <summary>One key of a key ring as a store keeps it.</summary>
public sealed class StoredTokenKey
{
    /// <summary>Creates a key record.</summary>
    /// <param name="keyId">The key's <c>kid</c>.</param>
    /// <param name="algorithm">The only <c>alg</c> the key is used with: <c>ES256</c> or <c>RS256</c>.</param>
    /// <param name="privateKey">The private key, PKCS#8 DER.</param>
    /// <param name="createdAt">When the key was made.</param>
    /// <param name="activatesAt">From when it may sign.</param>
    /// <param name="retiredAt">When it leaves the ring, or <see langword="null"/>.</param>
    public StoredTokenKey(string keyId, string algorithm, ReadOnlyMemory<byte> privateKey, DateTimeOffset createdAt, DateTimeOffset activatesAt, DateTimeOffset? retiredAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentException.ThrowIfNullOrEmpty(algorithm);
        if (privateKey.IsEmpty)
        {
            throw new ArgumentException("The private key is empty.", nameof(privateKey));
        }

        KeyId = keyId;
        Algorithm = algorithm;
        PrivateKey = privateKey;
        CreatedAt = createdAt;
        ActivatesAt = activatesAt;
        RetiredAt = retiredAt;
    }

    /// <summary>The key's <c>kid</c>.</summary>
    public string KeyId { get; }

    /// <summary>The only <c>alg</c> the key is used with.</summary>
    public string Algorithm { get; }

    /// <summary>The private key, PKCS#8 DER. A store that leaves the process encrypts it (see the PostgreSQL store).</summary>
    public ReadOnlyMemory<byte> PrivateKey { get; }

    /// <summary>When the key was made.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>From when the key may sign. Until then it is published only, so that every replica and validator knows it first.</summary>
    public DateTimeOffset ActivatesAt { get; }

    /// <summary>When the key leaves the ring (stops validating, leaves JWKS); <see langword="null"/> while it is in use.</summary>
    public DateTimeOffset? RetiredAt { get; }

    /// <summary>Names the key without its private half.</summary>
    /// <returns>The <c>kid</c>, the algorithm and the lifecycle.</returns>
    public override string ToString() => $"{KeyId} ({Algorithm}, activates {ActivatesAt:O}, retired {RetiredAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "never"})";
}

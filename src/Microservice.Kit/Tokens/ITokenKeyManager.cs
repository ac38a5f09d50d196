namespace Microservice.Kit.Tokens;

/// <summary>
/// Rotates this service's signing keys the way ASP.NET Core Data Protection rotates its keys: <see cref="RotateAsync"/>
/// adds a key that is published at once but signs only after <see cref="TokenOptions.KeyActivationDelay"/>, so that every
/// replica and every validating service knows it before the first token it signs; <see cref="RetireAsync"/> keeps a
/// superseded key published until every token it signed has expired; <see cref="RevokeAsync"/> drops a key at once.
/// </summary>
public interface ITokenKeyManager
{
    /// <summary>The keys tokens are validated with and JWKS publishes; the one with <see cref="TokenKeyInfo.IsSigning"/> signs new tokens.</summary>
    /// <returns>The keys, oldest first.</returns>
    IReadOnlyList<TokenKeyInfo> GetKeys();

    /// <summary>
    /// Generates a new key, stored before it is used, that is published at once and signs after
    /// <paramref name="activationDelay"/>. <see cref="TimeSpan.Zero"/> is for a compromised key: the new key signs at
    /// once, and validators that do not know it yet fetch it on its unknown <c>kid</c> (rate-limited, so some of them
    /// may reject its first tokens for up to <see cref="TokenOptions.JwksMinimumRefreshInterval"/>).
    /// </summary>
    /// <param name="activationDelay">How long the key is only published before it signs; <see langword="null"/> for <see cref="TokenOptions.KeyActivationDelay"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The new key.</returns>
    /// <exception cref="InvalidOperationException">The key is HS256 or comes from <see cref="TokenOptions.PrivateKeyPem"/>, which rotate by changing configuration.</exception>
    Task<TokenKeyInfo> RotateAsync(TimeSpan? activationDelay = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Retires a key that no longer signs: it stays published and keeps validating until every token it can have
    /// signed has expired (its successor's activation plus <see cref="TokenOptions.Lifetime"/> and
    /// <see cref="TokenOptions.ClockSkew"/>), then leaves the ring. A key that never signed leaves at once.
    /// </summary>
    /// <param name="keyId">The key's <c>kid</c>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> if the key was retired, <see langword="false"/> if there was no such key.</returns>
    /// <exception cref="InvalidOperationException">The key is the signing key.</exception>
    Task<bool> RetireAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>Removes a key that no longer signs at once: tokens it signed are rejected from then on (for a compromised key).</summary>
    /// <param name="keyId">The key's <c>kid</c>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> if the key was removed, <see langword="false"/> if there was no such key.</returns>
    /// <exception cref="InvalidOperationException">The key is the signing key.</exception>
    Task<bool> RevokeAsync(string keyId, CancellationToken cancellationToken = default);
}

/// <summary>Public facts about a signing key.</summary>
/// <param name="KeyId">The key's <c>kid</c>.</param>
/// <param name="Algorithm">The only <c>alg</c> the key is used with.</param>
/// <param name="CreatedAt">When the key was created.</param>
/// <param name="IsSigning">Whether the key signs new tokens.</param>
public sealed record TokenKeyInfo(string KeyId, string Algorithm, DateTimeOffset CreatedAt, bool IsSigning)
{
    /// <summary>From when the key signs (if it is the newest active key); until then it is published only.</summary>
    public DateTimeOffset ActivatesAt { get; init; }

    /// <summary>When the key leaves the ring, once retired or revoked; <see langword="null"/> while it is in use.</summary>
    public DateTimeOffset? RetiresAt { get; init; }
}

namespace Microservice.Kit.Tokens;

/// <summary>
/// Rotates this service's signing keys with overlap: <see cref="RotateAsync"/> adds a key that signs from then on while
/// older keys keep validating (and stay in JWKS) until <see cref="RetireAsync"/> removes them.
/// </summary>
public interface ITokenKeyManager
{
    /// <summary>The keys tokens are validated with; the one with <see cref="TokenKeyInfo.IsSigning"/> signs new tokens.</summary>
    /// <returns>The keys, oldest first.</returns>
    IReadOnlyList<TokenKeyInfo> GetKeys();

    /// <summary>Generates a new signing key, persisted before it is used.</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The new key.</returns>
    /// <exception cref="InvalidOperationException">The key is HS256 or comes from <see cref="TokenOptions.PrivateKeyPem"/>, which rotate by changing configuration.</exception>
    Task<TokenKeyInfo> RotateAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes a key that no longer signs; tokens it signed are rejected from then on.</summary>
    /// <param name="keyId">The key's <c>kid</c>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> if the key was removed, <see langword="false"/> if there was no such key.</returns>
    /// <exception cref="InvalidOperationException">The key is the signing key.</exception>
    Task<bool> RetireAsync(string keyId, CancellationToken cancellationToken = default);
}

/// <summary>Public facts about a signing key.</summary>
/// <param name="KeyId">The key's <c>kid</c>.</param>
/// <param name="Algorithm">The only <c>alg</c> the key is used with.</param>
/// <param name="CreatedAt">When the key was created.</param>
/// <param name="IsSigning">Whether the key signs new tokens.</param>
public sealed record TokenKeyInfo(string KeyId, string Algorithm, DateTimeOffset CreatedAt, bool IsSigning);

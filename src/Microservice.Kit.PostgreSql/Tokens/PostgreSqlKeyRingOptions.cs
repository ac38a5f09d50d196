namespace Microservice.Kit.PostgreSql;

/// <summary>
/// Options of the token key ring in PostgreSQL, bound from <c>MicroserviceKit:Tokens:PostgreSql</c>. Every replica must
/// hold the same <see cref="EncryptionKey"/>: the private keys are stored encrypted with it.
/// </summary>
public sealed class PostgreSqlKeyRingOptions
{
    /// <summary>
    /// The key that encrypts the signing keys' private halves at rest (AES-256-GCM): 32 random bytes in base64
    /// (<c>openssl rand -base64 32</c>). Keep it where the connection string's password is kept, not in the database.
    /// </summary>
    /// <value>The default is <see langword="null"/>; it is required.</value>
    public string? EncryptionKey { get; set; }

    /// <summary>
    /// Earlier encryption keys, still used to read keys stored under them while <see cref="EncryptionKey"/> replaces
    /// them. New keys are always encrypted with <see cref="EncryptionKey"/>.
    /// </summary>
    /// <value>The default is empty.</value>
    public IList<string> PreviousEncryptionKeys { get; } = [];
}

using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Microservice.Kit.PostgreSql.Tokens;

/// <summary>
/// Private keys at rest: AES-256-GCM with a fresh 96-bit nonce per key, the <c>kid</c> and algorithm as associated data
/// (so a ciphertext copied onto another row does not decrypt), stored as version || nonce || tag || ciphertext. Each
/// encryption key is known by the first 64 bits of its SHA-256, stored beside the ciphertext, which tells the reader
/// which key to use and an operator which key is missing, without revealing the key.
/// </summary>
internal sealed class KeyEncryption
{
    public const int KeyBytes = 32;
    private const byte Version = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] _current;
    private readonly Dictionary<string, byte[]> _byId = new(StringComparer.Ordinal);

    public KeyEncryption(byte[] current, IEnumerable<byte[]> previous)
    {
        _current = current;
        CurrentId = IdOf(current);
        _byId[CurrentId] = current;
        foreach (var key in previous)
        {
            _byId.TryAdd(IdOf(key), key);
        }
    }

    public string CurrentId { get; }

    public static string IdOf(ReadOnlySpan<byte> key) => Base64Url.EncodeToString(SHA256.HashData(key).AsSpan(0, 8));

    public byte[] Encrypt(string keyId, string algorithm, ReadOnlySpan<byte> plaintext)
    {
        var sealedKey = new byte[1 + NonceBytes + TagBytes + plaintext.Length];
        sealedKey[0] = Version;
        var nonce = sealedKey.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_current, TagBytes);
        aes.Encrypt(nonce, plaintext, sealedKey.AsSpan(1 + NonceBytes + TagBytes), sealedKey.AsSpan(1 + NonceBytes, TagBytes), AssociatedData(keyId, algorithm));
        return sealedKey;
    }

    /// <summary>The private key, or <see langword="null"/> when no configured key has <paramref name="encryptionKeyId"/>.</summary>
    /// <exception cref="CryptographicException">The ciphertext was altered, or belongs to another row.</exception>
    public byte[]? Decrypt(string keyId, string algorithm, string encryptionKeyId, ReadOnlySpan<byte> sealedKey)
    {
        if (!_byId.TryGetValue(encryptionKeyId, out var key))
        {
            return null;
        }

        if (sealedKey.Length < 1 + NonceBytes + TagBytes || sealedKey[0] != Version)
        {
            throw new CryptographicException("The stored key has an unknown format.");
        }

        var plaintext = new byte[sealedKey.Length - 1 - NonceBytes - TagBytes];
        using var aes = new AesGcm(key, TagBytes);
        aes.Decrypt(sealedKey.Slice(1, NonceBytes), sealedKey[(1 + NonceBytes + TagBytes)..], sealedKey.Slice(1 + NonceBytes, TagBytes), plaintext, AssociatedData(keyId, algorithm));
        return plaintext;
    }

    private static byte[] AssociatedData(string keyId, string algorithm) => Encoding.UTF8.GetBytes("microservice-kit:signing-key:" + algorithm + ":" + keyId);
}

using System.Buffers.Text;
using System.Security.Cryptography;

namespace Microservice.Kit.Tokens.Internal;

internal static class KeyIds
{
    /// <summary>A random <c>kid</c>: 128 bits, base64url.</summary>
    public static string NewRandom() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>A <c>kid</c> derived from key material without revealing it: the first 128 bits of its SHA-256, base64url.</summary>
    public static string FromMaterial(ReadOnlySpan<byte> material) => Base64Url.EncodeToString(SHA256.HashData(material).AsSpan(0, 16));

    /// <summary>
    /// A <c>kid</c> is only ever a lookup key; one with path, URL or control characters is refused before any lookup
    /// or fetch, so it can never reach a file name or a URL.
    /// </summary>
    public static bool IsWellFormed(string? keyId)
    {
        if (string.IsNullOrEmpty(keyId) || keyId.Length > 128)
        {
            return false;
        }

        foreach (var c in keyId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') )
            {
                return false;
            }
        }

        return !keyId.Contains("..", StringComparison.Ordinal);
    }
}

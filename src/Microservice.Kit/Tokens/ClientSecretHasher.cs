using Microsoft.AspNetCore.Identity;

namespace Microservice.Kit.Tokens;

/// <summary>
/// Hashes and verifies client secrets for the client-credentials grant with ASP.NET Core Identity's password hasher
/// (PBKDF2 with HMAC-SHA512, a random salt, 100 000 iterations; the comparison takes constant time). The hash goes into
/// <c>MicroserviceKit:Tokens:Clients:&lt;client id&gt;:SecretHash</c>; the secret itself only into the client's settings.
/// </summary>
public static class ClientSecretHasher
{
    private static readonly PasswordHasher<object> Hasher = new();
    private static readonly object Subject = new();

    /// <summary>Hashes a client secret.</summary>
    /// <param name="secret">The secret, at least 16 characters; generate it, for example 32 random bytes in base64url.</param>
    /// <returns>The hash, in ASP.NET Core Identity's format (base64).</returns>
    /// <exception cref="ArgumentException">The secret is shorter than 16 characters.</exception>
    public static string Hash(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (secret.Length < 16)
        {
            throw new ArgumentException("A client secret must be at least 16 characters; generate one rather than choosing it.", nameof(secret));
        }

        return Hasher.HashPassword(Subject, secret);
    }

    /// <summary>Whether <paramref name="secret"/> matches <paramref name="hash"/>, compared in constant time.</summary>
    /// <param name="hash">A hash from <see cref="Hash"/>.</param>
    /// <param name="secret">The secret a client sent.</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    public static bool Verify(string hash, string secret)
    {
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentNullException.ThrowIfNull(secret);
        try
        {
            return Hasher.VerifyHashedPassword(Subject, hash, secret) != PasswordVerificationResult.Failed;
        }
        catch (FormatException)
        {
            // Not base64: never a hash this class made, so it matches nothing.
            return false;
        }
    }

    /// <summary>Whether the text has the shape of a hash from <see cref="Hash"/> (format marker and length), so that a clear secret pasted by mistake is refused at start.</summary>
    internal static bool IsHash(string text)
    {
        var bytes = new byte[text.Length];
        // Version 3 marker, PRF, iteration count, salt length, then at least a 128-bit salt and a 256-bit subkey.
        return Convert.TryFromBase64String(text, bytes, out var length) && length >= 13 + 16 + 32 && bytes[0] == 0x01;
    }
}

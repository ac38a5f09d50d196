using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// What is read of a token before any key is used: its form, and the header's <c>alg</c> and <c>kid</c>. Nothing here is
/// trusted; it only decides whether the token is worth verifying, and with which key.
/// </summary>
internal readonly record struct TokenShape(TokenFailureReason Failure, string? Algorithm, string? KeyId)
{
    /// <summary>Header parameters that carry a key or where to get one (RFC 7515 §4.1.2-4.1.6); trusting them lets the sender pick the key.</summary>
    private static readonly string[] ForbiddenHeaders = ["jwk", "jku", "x5u", "x5c"];

    /// <summary>Claims that are NumericDates (RFC 7519 §4.1.4-4.1.6).</summary>
    private static readonly string[] NumericDateClaims = ["exp", "nbf", "iat"];

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static readonly SearchValues<char> Base64UrlAlphabet = SearchValues.Create(Alphabet);

    public static TokenShape Read(string token)
    {
        var segments = token.Split('.');
        // JWS compact serialization is exactly three segments (RFC 7515 §7.1); five would be a JWE, which the kit never accepts.
        if (segments.Length != 3 || segments[0].Length == 0 || segments[1].Length == 0)
        {
            return Rejected(TokenFailureReason.Malformed);
        }

        // Canonical base64url only (RFC 7515 §2, §5.2): no whitespace, padding or other characters, no stray bits. A decoder
        // that skips them would verify a signature over text that is not the token the issuer wrote.
        if (!IsCanonicalBase64Url(segments[0], out var header) || !IsCanonicalBase64Url(segments[1], out var payload)
            || !IsCanonicalBase64Url(segments[2], out _))
        {
            return Rejected(TokenFailureReason.Malformed);
        }

        // The header and the claims are UTF-8 JSON (RFC 7515 §5.2, RFC 7519 §7.2); JsonDocument checks string contents only
        // when they are read, and then throws.
        if (!Utf8.IsValid(header) || !Utf8.IsValid(payload))
        {
            return Rejected(TokenFailureReason.Malformed);
        }

        try
        {
            using var headerJson = JsonDocument.Parse(header);
            using var payloadJson = JsonDocument.Parse(payload);
            var h = headerJson.RootElement;
            if (h.ValueKind != JsonValueKind.Object || payloadJson.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Rejected(TokenFailureReason.Malformed);
            }

            // The kit implements no JWS extension, so any crit names one it does not understand (RFC 7515 §4.1.11).
            if (h.TryGetProperty("crit", out _))
            {
                return Rejected(TokenFailureReason.UnsupportedCriticalHeader);
            }

            if (ForbiddenHeaders.Any(name => h.TryGetProperty(name, out _)))
            {
                return Rejected(TokenFailureReason.ForbiddenHeader);
            }

            // A NumericDate is a JSON number (RFC 7519 §2); the handler would also read "1700000000" as a time.
            if (NumericDateClaims.Any(name => payloadJson.RootElement.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Number))
            {
                return Rejected(TokenFailureReason.Malformed);
            }

            return new TokenShape(TokenFailureReason.None, StringOrNull(h, "alg"), StringOrNull(h, "kid"));
        }
        catch (JsonException)
        {
            return Rejected(TokenFailureReason.Malformed);
        }
    }

    private static TokenShape Rejected(TokenFailureReason reason) => new(reason, null, null);

    private static string? StringOrNull(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool IsCanonicalBase64Url(string segment, out byte[] decoded)
    {
        decoded = [];
        if (segment.Length == 0)
        {
            return true;   // an empty signature is well-formed text; the signature check rejects it
        }

        // One leftover character is never a whole byte; every other length decodes.
        if (segment.AsSpan().ContainsAnyExcept(Base64UrlAlphabet) || segment.Length % 4 == 1)
        {
            return false;
        }

        // The last character of a partial group carries bits beyond the data; they must be zero, or several texts would
        // decode to the same bytes (and the decoder throws).
        var rest = segment.Length % 4;
        var unusedBits = rest == 2 ? 0b1111 : rest == 3 ? 0b11 : 0;
        if ((Alphabet.IndexOf(segment[^1], StringComparison.Ordinal) & unusedBits) != 0)
        {
            return false;
        }

        decoded = Base64Url.DecodeFromChars(segment);
        return true;
    }
}

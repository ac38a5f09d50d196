using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// What is read of a token before any key is used: its form, and the header's <c>alg</c> and <c>kid</c>. Nothing here is
/// trusted; it only decides whether the token is worth verifying, and with which key.
/// </summary>
/// <remarks>
/// Runs on every token not in the cache, so it reads the segments in place (no split, pooled decode buffers, a forward-only
/// JSON reader): the handler parses the token again anyway, and this check is pure overhead on a first-seen token.
/// </remarks>
internal readonly record struct TokenShape(TokenFailureReason Failure, string? Algorithm, string? KeyId, string? Issuer = null)
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static readonly SearchValues<char> Base64UrlAlphabet = SearchValues.Create(Alphabet);

    /// <param name="token">The token.</param>
    /// <param name="readIssuer">Whether to read the unverified <c>iss</c> too, to select among several trusted issuers.</param>
    public static TokenShape Read(string token, bool readIssuer = false)
    {
        // JWS compact serialization is exactly three segments (RFC 7515 §7.1); five would be a JWE, which the kit never accepts.
        var text = token.AsSpan();
        var first = text.IndexOf('.');
        var second = first < 0 ? -1 : text[(first + 1)..].IndexOf('.');
        if (first <= 0 || second <= 0 || text[(first + 1 + second + 1)..].Contains('.'))
        {
            return Rejected(TokenFailureReason.Malformed);
        }

        var headerText = text[..first];
        var payloadText = text.Slice(first + 1, second);
        var signatureText = text[(first + 1 + second + 1)..];

        // Canonical base64url only (RFC 7515 §2, §5.2): no whitespace, padding or other characters, no stray bits. A decoder
        // that skips them would verify a signature over text that is not the token the issuer wrote.
        if (!IsCanonicalBase64Url(headerText) || !IsCanonicalBase64Url(payloadText) || !IsCanonicalBase64Url(signatureText))
        {
            return Rejected(TokenFailureReason.Malformed);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(headerText.Length) + Base64Url.GetMaxDecodedLength(payloadText.Length));
        try
        {
            var headerLength = Base64Url.DecodeFromChars(headerText, buffer);
            var payloadLength = Base64Url.DecodeFromChars(payloadText, buffer.AsSpan(headerLength));
            var header = buffer.AsSpan(0, headerLength);
            var payload = buffer.AsSpan(headerLength, payloadLength);

            // The header and the claims are UTF-8 JSON (RFC 7515 §5.2, RFC 7519 §7.2); the JSON reader checks string
            // contents only when they are read, and then throws.
            if (!Utf8.IsValid(header) || !Utf8.IsValid(payload))
            {
                return Rejected(TokenFailureReason.Malformed);
            }

            // Both are read whole before any verdict, so that a malformed part always wins over what the other part says.
            if (!TryReadHeader(header, out var headerFacts) || !TryReadPayload(payload, readIssuer, out var numericDatesAreNumbers, out var issuer))
            {
                return Rejected(TokenFailureReason.Malformed);
            }

            // The kit implements no JWS extension, so any crit names one it does not understand (RFC 7515 §4.1.11).
            if (headerFacts.HasCrit)
            {
                return Rejected(TokenFailureReason.UnsupportedCriticalHeader);
            }

            // jwk, jku, x5u, x5c carry a key or where to get one (RFC 7515 §4.1.2-4.1.6): trusting them lets the sender pick the key.
            if (headerFacts.HasKeyReference)
            {
                return Rejected(TokenFailureReason.ForbiddenHeader);
            }

            // A NumericDate is a JSON number (RFC 7519 §2); the handler would also read "1700000000" as a time.
            return numericDatesAreNumbers
                ? new TokenShape(TokenFailureReason.None, headerFacts.Algorithm, headerFacts.KeyId, issuer)
                : Rejected(TokenFailureReason.Malformed);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: an alg or kid with an escaped lone surrogate cannot become a string.
            return Rejected(TokenFailureReason.Malformed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static TokenShape Rejected(TokenFailureReason reason) => new(reason, null, null);

    private record struct HeaderFacts(bool HasCrit, bool HasKeyReference, string? Algorithm, string? KeyId);

    private static bool TryReadHeader(ReadOnlySpan<byte> json, out HeaderFacts facts)
    {
        facts = default;
        var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // ValueTextEquals compares the unescaped name, so "\u0063rit" is crit too.
            if (reader.ValueTextEquals("crit"u8))
            {
                facts.HasCrit = true;
            }
            else if (reader.ValueTextEquals("jwk"u8) || reader.ValueTextEquals("jku"u8) || reader.ValueTextEquals("x5u"u8) || reader.ValueTextEquals("x5c"u8))
            {
                facts.HasKeyReference = true;
            }
            else if (reader.ValueTextEquals("alg"u8))
            {
                reader.Read();
                facts.Algorithm = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
                continue;
            }
            else if (reader.ValueTextEquals("kid"u8))
            {
                reader.Read();
                facts.KeyId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
                continue;
            }

            reader.Read();
            reader.Skip();
        }

        return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
    }

    private static bool TryReadPayload(ReadOnlySpan<byte> json, bool readIssuer, out bool numericDatesAreNumbers, out string? issuer)
    {
        numericDatesAreNumbers = true;
        issuer = null;
        var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Claims that are NumericDates (RFC 7519 §4.1.4-4.1.6).
            var isNumericDate = reader.ValueTextEquals("exp"u8) || reader.ValueTextEquals("nbf"u8) || reader.ValueTextEquals("iat"u8);
            var isIssuer = readIssuer && reader.ValueTextEquals("iss"u8);
            reader.Read();
            if (isNumericDate && reader.TokenType != JsonTokenType.Number)
            {
                numericDatesAreNumbers = false;
            }

            // Only a selector: the issuer it names must still verify the signature and the handler checks iss again.
            if (isIssuer && reader.TokenType == JsonTokenType.String)
            {
                issuer = reader.GetString();
            }

            reader.Skip();
        }

        return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
    }

    private static bool IsCanonicalBase64Url(ReadOnlySpan<char> segment)
    {
        if (segment.IsEmpty)
        {
            return true;   // an empty signature is well-formed text; the signature check rejects it (header and payload are checked non-empty above)
        }

        // One leftover character is never a whole byte; every other length decodes.
        if (segment.ContainsAnyExcept(Base64UrlAlphabet) || segment.Length % 4 == 1)
        {
            return false;
        }

        // The last character of a partial group carries bits beyond the data; they must be zero, or several texts would
        // decode to the same bytes (and the decoder throws).
        var rest = segment.Length % 4;
        var unusedBits = rest == 2 ? 0b1111 : rest == 3 ? 0b11 : 0;
        return (Alphabet.IndexOf(segment[^1], StringComparison.Ordinal) & unusedBits) == 0;
    }
}

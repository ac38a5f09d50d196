using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microservice.Kit.Tokens;
using Microservice.Kit.Tokens.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Xunit.Abstractions;

namespace Microservice.Kit.Tests.Tokens.Wycheproof;

/// <summary>
/// The Wycheproof JSON Web Signature vectors (vendored with their licence, see README.md) through the kit's validator.
/// The kit validates access tokens, not bare JWS over "foo", so each vector is transplanted: a valid access token is signed
/// with the vector group's key, and the vector's difference from the group's valid vector (a segment changed, removed or
/// added; characters inserted; signature bytes, or for RS256 the PKCS #1 encoded message, changed) is applied to it.
/// Expected-invalid vectors must be rejected; expected-valid vectors with an algorithm the kit supports must be accepted.
/// Vectors that cannot be expressed are listed in the test output with the reason, and counted.
/// </summary>
public sealed class WycheproofJwsTests(ITestOutputHelper output)
{
    private static readonly System.Buffers.SearchValues<char> Alphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static readonly System.Buffers.SearchValues<char> CompactAlphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    [Fact]
    public async Task Vectors_TransplantedOntoAccessTokens_AreJudgedAsWycheproofExpects()
    {
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Wycheproof", "json_web_signature_test.json")))!;
        var wrong = new List<string>();
        var notExpressed = new List<string>();
        var notes = new List<string>();
        var judged = 0;

        foreach (var group in file["testGroups"]!.AsArray().Select(g => g!))
        {
            var key = VectorKey.From(group);
            var validator = key.Validator();
            foreach (var test in group["tests"]!.AsArray().Select(t => t!))
            {
                var id = $"tcId {test["tcId"]} {test["comment"]} ({group["comment"]})";
                var expectedValid = test["result"]!.GetValue<string>() == "valid";
                if (!expectedValid && group["tests"]!.AsArray().Any(t => t!["result"]!.GetValue<string>() == "valid" && JsonNode.DeepEquals(t["jws"], test["jws"])))
                {
                    notExpressed.Add($"{id}: its text is identical to a vector of its group that is expected valid (the defect its name describes is not in the file)");
                    continue;
                }

                var (token, why) = Transplant(test["jws"]!, group, key);
                if (token is null)
                {
                    notExpressed.Add($"{id}: {why}");
                    continue;
                }

                if (why is not null)
                {
                    notes.Add($"{id}: {why}");
                }

                var outcome = await validator.ValidateAsync(token);
                judged++;
                if (expectedValid && !key.Supported)
                {
                    notes.Add($"{id}: valid, but the kit trusts no key of this group ({key.Algorithm}; the kit takes ES256 P-256 and RS256 >= 2048 bits with a kid of letters, digits, '-', '_', '.'): rejected as {outcome.FailureReason}");
                    Assert.False(outcome.IsValid, id);
                }
                else if (expectedValid && token.AsSpan().ContainsAnyExcept(CompactAlphabet))
                {
                    // Wycheproof lets a library skip characters outside base64url; the kit refuses them (RFC 7515 §5.2).
                    notes.Add($"{id}: valid to Wycheproof if non-base64url characters are skipped; the kit rejects them as {outcome.FailureReason} (RFC 7515 §5.2)");
                    if (outcome.FailureReason != TokenFailureReason.Malformed)
                    {
                        wrong.Add($"{id}: expected Malformed, got {outcome.FailureReason}");
                    }
                }
                else if (outcome.IsValid != expectedValid)
                {
                    wrong.Add($"{id}: expected {(expectedValid ? "valid" : "invalid")}, got {(outcome.IsValid ? "valid" : outcome.FailureReason.ToString())}");
                }
            }
        }

        output.WriteLine($"{judged} vectors judged, {notExpressed.Count} not expressible:");
        notExpressed.ForEach(line => output.WriteLine("  not expressed: " + line));
        notes.ForEach(line => output.WriteLine("  note: " + line));
        wrong.ForEach(line => output.WriteLine("  WRONG: " + line));
        Assert.Empty(wrong);
        // Guard against a transplant that silently expresses nothing: the file has 401 vectors.
        Assert.InRange(judged, 380, 401);
    }

    private static (string? Token, string? Why) Transplant(JsonNode jws, JsonNode group, VectorKey key)
    {
        var tests = group["tests"]!.AsArray().Select(t => t!).ToArray();
        if (jws is JsonObject)
        {
            // JSON serialization: the same serialization of a valid access token, sent where a compact token is expected.
            var reference = tests.Select(t => t["jws"]).OfType<JsonValue>().Select(v => v.GetValue<string>()).First(key.SelfVerifies);
            var parts = key.AccessToken(reference).Split('.');
            return (new JsonObject { ["protected"] = parts[0], ["payload"] = parts[1], ["signature"] = parts[2] }.ToJsonString(), null);
        }

        var vector = jws.GetValue<string>();
        // The reference is the vector itself when it verifies as it is (a valid JWS over another message or header), else
        // the group's valid vector with the same header, else the group's first valid vector.
        var valid = tests.Where(t => t["result"]!.GetValue<string>() == "valid" && t["jws"] is JsonValue)
            .Select(t => t["jws"]!.GetValue<string>()).Where(key.SelfVerifies).ToArray();
        var referenceVector = key.SelfVerifies(vector) ? vector
            : valid.FirstOrDefault(v => v.Split('.')[0] == vector.Split('.')[0]) ?? valid.FirstOrDefault();
        if (referenceVector is null)
        {
            return (null, "no vector of its group verifies, so there is no valid JWS to take the difference from");
        }

        var ours = key.AccessToken(referenceVector);
        if (vector == referenceVector)
        {
            return (ours, null);
        }

        var v = vector.Split('.');
        var r = referenceVector.Split('.');
        var o = ours.Split('.');
        if (v.Length != 3 || r.Length != 3)
        {
            // Segments removed, added or emptied: each segment equal to one of the reference's becomes ours, the rest stay.
            return (string.Join('.', v.Select(segment => segment.Length > 0 && Array.IndexOf(r, segment) is var i and >= 0 ? o[i] : segment)), null);
        }

        if (v[0] == r[0] && v[1] == r[1])
        {
            return key.TransplantSignature(r, v, o);
        }

        var vectorAlgorithm = HeaderAlgorithm(v[0]);
        if (v[0] == r[0] && vectorAlgorithm is not null && Canonical(v[1]) is { } canonicalPayload && canonicalPayload != v[1])
        {
            // Stray bits in the payload's last character, signed over the canonical text or over the text as it is.
            var stray = WithStrayBits(o[1]);
            if (key.Verifies(vectorAlgorithm, v[0] + "." + canonicalPayload, v[2]))
            {
                return ($"{o[0]}.{stray}.{o[2]}", null);
            }

            if (key.Verifies(vectorAlgorithm, v[0] + "." + v[1], v[2]))
            {
                return ($"{o[0]}.{stray}.{key.Sign(vectorAlgorithm, o[0] + "." + stray)}", null);
            }
        }

        if (v[0] == r[0] && vectorAlgorithm is not null && Canonical(v[1]) == v[1] && !vectorAlgorithm.StartsWith("PS", StringComparison.Ordinal)
            && !key.Verifies(vectorAlgorithm, v[0] + "." + v[1], v[2]))
        {
            // A signature mutation over another message: HMAC and PKCS #1 v1.5 are deterministic, so the correct signature
            // of the vector's own message is the reference.
            return key.TransplantSignature([v[0], v[1], key.Sign(vectorAlgorithm, v[0] + "." + v[1])], v, o);
        }

        if (v[0] == r[0] && vectorAlgorithm is not null && !key.Supported)
        {
            // PSS is randomized and the kit trusts no PSS key: the vector's own signature bytes, rejected before they matter.
            return ($"{o[0]}.{o[1]}.{v[2]}", $"{vectorAlgorithm} is not supported by the kit: rejected before the signature is looked at");
        }

        var header = v[0] == r[0] ? o[0] : TransplantHeader(r[0], v[0], o[0]);
        var payload = v[1] == r[1] ? o[1] : SpliceText(r[1], v[1], o[1]);
        if (header is null || payload is null)
        {
            return (null, "the changed segment's difference does not carry over to the access token");
        }

        if (v[2] == r[2])
        {
            return ($"{header}.{payload}.{o[2]}", null);   // the signature of the unchanged text
        }

        var algorithmOfText = HeaderAlgorithm(v[0]) ?? HeaderAlgorithm(r[0])!;
        if (!key.Verifies(algorithmOfText, v[0] + "." + v[1], v[2])
            && key.Verifies(algorithmOfText, WithoutForeignCharacters(v[0]) + "." + WithoutForeignCharacters(v[1]), v[2]))
        {
            // Characters inserted into the text, the signature over the text without them: ours is that signature.
            return ($"{header}.{payload}.{o[2]}", null);
        }

        if (v[2].Length == 0)
        {
            return ($"{header}.{payload}.", null);
        }

        var algorithm = HeaderAlgorithm(v[0]) ?? HeaderAlgorithm(r[0])!;
        if (key.Verifies(algorithm, v[0] + "." + v[1], v[2]))
        {
            return ($"{header}.{payload}.{key.Sign(algorithm, header + "." + payload)}", null);   // signed over the changed text
        }

        if (algorithm.StartsWith("HS", StringComparison.Ordinal) && !key.IsSymmetric)
        {
            // Symmetric confusion: the vector's HMAC secret derived from the public key is not stated; any secret shows
            // the point, because the kit refuses HS256 on an asymmetric kid before the signature is looked at.
            return ($"{header}.{payload}.{Encode(HMACSHA256.HashData(key.PublicKeyBytes, Encoding.ASCII.GetBytes(header + "." + payload)))}",
                "HMAC secret of the vector unknown: signed with the public key's SubjectPublicKeyInfo bytes instead");
        }

        if (HeaderJson(v[0]) is { } vectorHeader && vectorHeader.ContainsKey("jwk"))
        {
            return ($"{header}.{payload}.{key.Sign(algorithm, header + "." + payload)}",
                "the attacker's private key is not in the vector: the embedded-jwk header is signed with the trusted key instead");
        }

        return (null, "signed by a key that is not in the vector");
    }

    /// <summary>A header changed in content gets the same member changes on ours; a header changed in form gets the same characters.</summary>
    private static string? TransplantHeader(string reference, string vector, string ours)
    {
        if (HeaderJson(reference) is not { } before || HeaderJson(vector) is not { } after || HeaderJson(ours) is not { } target)
        {
            return SpliceText(reference, vector, ours);
        }

        foreach (var (name, value) in after)
        {
            if (!before.TryGetPropertyValue(name, out var old) || !JsonNode.DeepEquals(old, value))
            {
                target[name] = value?.DeepClone();
            }
        }

        foreach (var (name, _) in before.Where(member => !after.ContainsKey(member.Key)).ToArray())
        {
            target.Remove(name);
        }

        // Same members, other text: insignificant JSON whitespace, which indentation reproduces.
        var indented = JsonNode.DeepEquals(before, after);
        return Encode(Encoding.UTF8.GetBytes(target.ToJsonString(new JsonSerializerOptions { WriteIndented = indented })));
    }

    private static JsonObject? HeaderJson(string segment)
    {
        try
        {
            return segment.AsSpan().ContainsAnyExcept(Alphabet) ? null : JsonNode.Parse(Base64UrlEncoder.DecodeBytes(segment)) as JsonObject;
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    private static string? Canonical(string segment)
    {
        if (segment.Length == 0 || segment.AsSpan().ContainsAnyExcept(Alphabet) || segment.Length % 4 == 1)
        {
            return null;
        }

        // Decoding ignores the unused low bits of the last character; re-encoding writes them as zero.
        var rest = segment.Length % 4;
        var last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".IndexOf(segment[^1], StringComparison.Ordinal);
        var mask = rest == 2 ? 0b1111 : rest == 3 ? 0b11 : 0;
        return segment[..^1] + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last & ~mask];
    }

    private static string WithoutForeignCharacters(string segment) =>
        string.Concat(segment.Where(c => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".Contains(c, StringComparison.Ordinal)));

    private static string WithStrayBits(string segment)
    {
        const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return segment[..^1] + Letters[Letters.IndexOf(segment[^1], StringComparison.Ordinal) | 1];
    }

    private static string? HeaderAlgorithm(string segment) => HeaderJson(segment)?["alg"]?.GetValue<string>();

    /// <summary>
    /// Applies the change from <paramref name="reference"/> to <paramref name="mutated"/> to <paramref name="ours"/>: the part
    /// between their common prefix and suffix is replaced by the mutated part; when that leaves ours unchanged (the
    /// mutated value happens to be ours), the difference is applied as an XOR instead.
    /// </summary>
    internal static T[]? Splice<T>(T[] reference, T[] mutated, T[] ours, Func<T, T, T, T>? xor = null)
        where T : IEquatable<T>
    {
        var prefix = 0;
        while (prefix < reference.Length && prefix < mutated.Length && reference[prefix].Equals(mutated[prefix]))
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < Math.Min(reference.Length, mutated.Length) - prefix
               && reference[^(suffix + 1)].Equals(mutated[^(suffix + 1)]))
        {
            suffix++;
        }

        // The change removes the reference's middle and puts the mutated middle in its place, anchored to the nearer end
        // (ours may be longer than the reference).
        var removed = reference.Length - prefix - suffix;
        var start = prefix <= suffix ? prefix : ours.Length - suffix - removed;
        if (start < 0 || start + removed > ours.Length)
        {
            return null;
        }

        T[] result = [.. ours[..start], .. mutated[prefix..^suffix], .. ours[(start + removed)..]];
        if (result.SequenceEqual(ours) && xor is not null && reference.Length == mutated.Length && ours.Length == reference.Length)
        {
            result = [.. ours.Select((value, i) => i >= prefix && i < ours.Length - suffix ? xor(value, reference[i], mutated[i]) : value)];
        }

        return result.SequenceEqual(ours) ? null : result;
    }

    private static string? SpliceText(string reference, string mutated, string ours) =>
        Splice(reference.ToCharArray(), mutated.ToCharArray(), ours.ToCharArray()) is { } chars ? new string(chars) : null;

    private static string Encode(byte[] bytes) => Base64UrlEncoder.Encode(bytes);

    /// <summary>A vector group's key: signs and verifies every JWS algorithm of the file, and is trusted as the kit would trust it.</summary>
    private sealed class VectorKey
    {
        private readonly JsonNode _jwk;
        private readonly JsonNode? _public;
        private readonly byte[]? _secret;
        private readonly RSA? _rsa;
        private readonly ECDsa? _ecdsa;

        private VectorKey(JsonNode jwk, JsonNode? publicJwk)
        {
            _jwk = jwk;
            _public = publicJwk;
            byte[]? Bytes(string name) => jwk[name] is { } value ? Base64UrlEncoder.DecodeBytes(value.GetValue<string>()) : null;
            switch (jwk["kty"]!.GetValue<string>())
            {
                case "oct":
                    _secret = Bytes("k");
                    break;
                case "RSA":
                    _rsa = RSA.Create(new RSAParameters
                    {
                        Modulus = Bytes("n"), Exponent = Bytes("e"), D = Bytes("d"), P = Bytes("p"), Q = Bytes("q"),
                        DP = Bytes("dp"), DQ = Bytes("dq"), InverseQ = Bytes("qi"),
                    });
                    break;
                default:
                    _ecdsa = ECDsa.Create(new ECParameters
                    {
                        Curve = jwk["crv"]!.GetValue<string>() switch
                        {
                            "P-256" => ECCurve.NamedCurves.nistP256,
                            "P-384" => ECCurve.NamedCurves.nistP384,
                            _ => ECCurve.NamedCurves.nistP521,
                        },
                        D = Bytes("d"),
                        Q = new ECPoint { X = Bytes("x"), Y = Bytes("y") },
                    });
                    break;
            }

            Trusted = Trust();
        }

        public IReadOnlyList<TrustedKey> Trusted { get; }

        public bool Supported => Trusted.Count > 0;

        public bool IsSymmetric => _secret is not null;

        public string Algorithm => _jwk["alg"]?.GetValue<string>() ?? _jwk["kty"]!.GetValue<string>();

        public byte[] PublicKeyBytes => _rsa?.ExportSubjectPublicKeyInfo() ?? _ecdsa!.ExportSubjectPublicKeyInfo();

        public static VectorKey From(JsonNode group) => new(group["private"] ?? group["public"]!, group["public"]);

        public TokenValidator Validator() => new TokenValidator(
            new FixedKeys(new KeySet(Trusted, epoch: 0)),
            Options.Create(new TokenOptions { Issuer = "wycheproof", Audience = "wycheproof", CacheSize = 0 }),
            TimeProvider.System,
            NullLogger<TokenValidator>.Instance);

        public bool SelfVerifies(string vector)
        {
            var parts = vector.Split('.');
            return parts.Length == 3 && parts.All(part => part.Length == 0 || Canonical(part) == part)
                && HeaderAlgorithm(parts[0]) is { } algorithm && Verifies(algorithm, parts[0] + "." + parts[1], parts[2]);
        }

        /// <summary>A valid access token with the reference vector's <c>alg</c> and <c>kid</c>, signed with this key.</summary>
        public string AccessToken(string referenceVector)
        {
            var header = HeaderJson(referenceVector.Split('.')[0])!;
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var ourHeader = new JsonObject
            {
                ["alg"] = header["alg"]!.GetValue<string>(),
                ["typ"] = "at+jwt",
                ["kid"] = header["kid"]?.GetValue<string>() ?? _jwk["kid"]!.GetValue<string>(),
            };
            var payload = new JsonObject
            {
                ["iss"] = "wycheproof", ["aud"] = "wycheproof", ["sub"] = "alice", ["iat"] = now, ["nbf"] = now, ["exp"] = now + 3600,
                ["jti"] = Guid.NewGuid().ToString("N"),
            };
            // A payload whose last character carries unused bits, so that a stray-bits vector can be expressed.
            while (Encode(Encoding.UTF8.GetBytes(payload.ToJsonString())).Length % 4 != 2)
            {
                payload["sub"] += "x";
            }

            var input = Encode(Encoding.UTF8.GetBytes(ourHeader.ToJsonString())) + "." + Encode(Encoding.UTF8.GetBytes(payload.ToJsonString()));
            return input + "." + Sign(ourHeader["alg"]!.GetValue<string>(), input);
        }

        public (string? Token, string? Why) TransplantSignature(string[] reference, string[] vector, string[] ours)
        {
            var algorithm = HeaderAlgorithm(reference[0])!;
            if (vector[2].AsSpan().ContainsAnyExcept(Alphabet) || vector[2].Length % 4 == 1)
            {
                // A defect of the encoding (spaces, other characters): the same characters in our signature's text.
                return SpliceText(reference[2], vector[2], ours[2]) is { } text ? ($"{ours[0]}.{ours[1]}.{text}", null) : (null, "no difference carried over");
            }

            var r = Base64UrlEncoder.DecodeBytes(reference[2]);
            var v = Base64UrlEncoder.DecodeBytes(vector[2]);
            var o = Base64UrlEncoder.DecodeBytes(ours[2]);
            byte[]? signature;
            if (algorithm.StartsWith("RS", StringComparison.Ordinal) && _rsa is not null && v.Length == r.Length)
            {
                // PKCS #1 v1.5 mutations live in the encoded message: take its difference and sign the changed message raw.
                var parameters = _rsa.ExportParameters(includePrivateParameters: true);
                var n = Unsigned(parameters.Modulus!);
                var e = Unsigned(parameters.Exponent!);
                byte[] Message(byte[] s) => Fixed(BigInteger.ModPow(Unsigned(s), e, n), r.Length);
                var message = Splice(Message(r), Message(v), Message(o), (x, a, b) => (byte)(x ^ a ^ b));
                if (message is null || Unsigned(message) >= n)
                {
                    return (null, "the changed PKCS #1 message does not carry over to the access token (equal, or not below the modulus)");
                }

                signature = Fixed(BigInteger.ModPow(Unsigned(message), Unsigned(parameters.D!), n), r.Length);
            }
            else
            {
                signature = Splice(r, v, o, (x, a, b) => (byte)(x ^ a ^ b));
            }

            return signature is null ? (null, "no difference carried over") : ($"{ours[0]}.{ours[1]}.{Encode(signature)}", null);
        }

        public string Sign(string algorithm, string input)
        {
            var data = Encoding.ASCII.GetBytes(input);
            return Encode(algorithm switch
            {
                "HS256" => HMACSHA256.HashData(_secret!, data),
                "HS384" => HMACSHA384.HashData(_secret!, data),
                "HS512" => HMACSHA512.HashData(_secret!, data),
                _ when _rsa is not null => _rsa.SignData(data, Hash(algorithm), algorithm[0] == 'P' ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
                _ => _ecdsa!.SignData(data, Hash(algorithm)),
            });
        }

        public bool Verifies(string algorithm, string input, string signature)
        {
            if (signature.AsSpan().ContainsAnyExcept(Alphabet) || signature.Length == 0 || signature.Length % 4 == 1)
            {
                return false;
            }

            var data = Encoding.ASCII.GetBytes(input);
            var bytes = Base64UrlEncoder.DecodeBytes(signature);
            return algorithm switch
            {
                "none" => false,
                _ when algorithm.StartsWith("HS", StringComparison.Ordinal) => _secret is not null
                    && CryptographicOperations.FixedTimeEquals(Base64UrlEncoder.DecodeBytes(Sign(algorithm, input)), bytes),
                _ when _rsa is not null && (algorithm[0] == 'R' || algorithm[0] == 'P') =>
                    _rsa.VerifyData(data, bytes, Hash(algorithm), algorithm[0] == 'P' ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
                _ when _ecdsa is not null && algorithm[0] == 'E' => _ecdsa.VerifyData(data, bytes, Hash(algorithm)),
                _ => false,
            };
        }

        private static HashAlgorithmName Hash(string algorithm) => algorithm[^3..] switch
        {
            "384" => HashAlgorithmName.SHA384,
            "512" => HashAlgorithmName.SHA512,
            _ => HashAlgorithmName.SHA256,
        };

        private static BigInteger Unsigned(byte[] bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

        private static byte[] Fixed(BigInteger value, int length)
        {
            var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
            return bytes.Length >= length ? bytes : [.. new byte[length - bytes.Length], .. bytes];
        }

        /// <summary>
        /// Public keys as the kit's JWKS client reads them (so <c>use</c>, <c>key_ops</c>, key type and size apply); an HS256
        /// secret as the kit's own HS256 configuration holds it, since a JWKS never carries one.
        /// </summary>
        private IReadOnlyList<TrustedKey> Trust()
        {
            if (_secret is not null)
            {
                return Algorithm == "HS256" && _jwk["kid"] is { } kid
                    ? [new TrustedKey(kid.GetValue<string>(), SecurityAlgorithms.HmacSha256, new SymmetricSecurityKey(_secret) { KeyId = kid.GetValue<string>() })]
                    : [];
            }

            return JwksKeySource.Parse(Encoding.UTF8.GetBytes(new JsonObject { ["keys"] = new JsonArray(_public!.DeepClone()) }.ToJsonString()));
        }
    }

    private sealed class FixedKeys(KeySet keys) : IValidationKeySource
    {
        public ValueTask<KeySet> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(keys);

        public ValueTask<KeySet> RefreshForUnknownKeyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(keys);
    }
}

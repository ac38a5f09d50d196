using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microservice.Kit.Tokens;
using Microservice.Kit.Tokens.Internal;
using Microsoft.IdentityModel.Tokens;

namespace Microservice.Kit.Tests.Tokens;

/// <summary>
/// The validator against RFC 7515 / 7517 / 7519 / 9068 as independent implementations read them (issue 15, items 1-7).
/// Tokens are written by hand so that each one differs from a valid token in exactly the property under test.
/// </summary>
public sealed class TokenConformanceTests
{
    [Theory]
    [InlineData("at+jwt")]
    [InlineData("AT+JWT")]
    [InlineData("application/at+jwt")]
    [InlineData("Application/AT+JWT")]
    public async Task Validate_TypAccessTokenMediaType_IsAcceptedInEveryForm(string typ)
    {
        using var services = new TokenServices();
        var token = HandMade.For(services).With(header: h => h["typ"] = typ).SignedEs256();

        var outcome = await services.Validator.ValidateAsync(token);

        Assert.True(outcome.IsValid, outcome.FailureReason.ToString());
    }

    [Theory]
    [InlineData("JWT")]
    [InlineData("application/jwt")]
    [InlineData("at+jwt; charset=utf-8")]
    [InlineData("application/application/at+jwt")]
    public async Task Validate_TypOtherThanAccessToken_IsWrongType(string typ)
    {
        using var services = new TokenServices();
        var token = HandMade.For(services).With(header: h => h["typ"] = typ).SignedEs256();

        Assert.Equal(TokenFailureReason.WrongType, (await services.Validator.ValidateAsync(token)).FailureReason);
    }

    [Fact]
    public async Task Validate_UnknownCriticalHeader_IsUnsupportedCriticalHeader()
    {
        using var services = new TokenServices();
        var token = HandMade.For(services).With(header: h =>
        {
            h["crit"] = new[] { "urn:x-unknown" };
            h["urn:x-unknown"] = true;
        }).SignedEs256();

        Assert.Equal(TokenFailureReason.UnsupportedCriticalHeader, (await services.Validator.ValidateAsync(token)).FailureReason);
    }

    [Fact]
    public async Task Validate_CriticalB64False_IsUnsupportedCriticalHeader()
    {
        using var services = new TokenServices();
        var token = HandMade.For(services).With(header: h =>
        {
            h["crit"] = new[] { "b64" };
            h["b64"] = false;
        }).SignedEs256();

        Assert.Equal(TokenFailureReason.UnsupportedCriticalHeader, (await services.Validator.ValidateAsync(token)).FailureReason);
    }

    [Theory]
    [InlineData("header")]
    [InlineData("payload")]
    [InlineData("signature")]
    public async Task Validate_WhitespaceInsideASegmentSignedOverThatText_IsMalformed(string segment)
    {
        using var services = new TokenServices();
        var made = HandMade.For(services);
        var token = segment switch
        {
            "header" => made.SignedEs256(header: made.EncodedHeader + "    "),
            "payload" => made.SignedEs256(payload: "    " + made.EncodedPayload),
            _ => made.SignedEs256().Insert(made.EncodedHeader.Length + made.EncodedPayload.Length + 2, "    "),
        };

        Assert.Equal(TokenFailureReason.Malformed, (await services.Validator.ValidateAsync(token)).FailureReason);
    }

    [Fact]
    public async Task Validate_NonCanonicalBase64UrlWithStrayBits_IsMalformedNotAServerError()
    {
        using var services = new TokenServices();
        var token = HandMade.For(services).SignedEs256();
        // An ES256 signature is 64 bytes: 86 characters, the last of which carries 4 unused bits.
        var last = token[^1];
        var strayBits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".IndexOf(last, StringComparison.Ordinal) | 1];

        var outcome = await services.Validator.ValidateAsync(token[..^1] + strayBits);

        Assert.Equal(TokenFailureReason.Malformed, outcome.FailureReason);
    }

    [Fact]
    public async Task Validate_HeaderStringWithInvalidUtf8_IsMalformedNotAServerError()
    {
        using var services = new TokenServices();
        var made = HandMade.For(services);
        // {"alg":"ES256","kid":"\xB5..."}: a lone continuation byte inside a JSON string.
        byte[] header = [.. Encoding.ASCII.GetBytes("{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\""), 0xB5, .. Encoding.ASCII.GetBytes("\"}")];

        var outcome = await services.Validator.ValidateAsync(made.SignedEs256(header: Base64UrlEncoder.Encode(header)));

        Assert.Equal(TokenFailureReason.Malformed, outcome.FailureReason);
    }

    [Theory]
    [InlineData("{\"alg\":\"\\uD800\",\"typ\":\"at+jwt\"}")]                       // alg: an escaped lone surrogate
    [InlineData("{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"\\uDC00x\"}")]     // kid: the same
    [InlineData("{\"alg\":\"ES256\",\"typ\":\"at+jwt\"} {}")]                       // a second JSON value after the header
    [InlineData("{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}")]   // nested past the reader's depth
    public async Task Validate_HeaderJsonTheReaderRefuses_IsMalformedNotAServerError(string header)
    {
        using var services = new TokenServices();
        var made = HandMade.For(services);

        var outcome = await services.Validator.ValidateAsync(made.SignedEs256(header: Base64UrlEncoder.Encode(header)));

        Assert.Equal(TokenFailureReason.Malformed, outcome.FailureReason);
    }

    [Fact]
    public async Task Validate_Es256OnAnRsaKid_IsWrongAlgorithm()
    {
        using var services = new TokenServices(options => options.Algorithm = TokenSigningAlgorithm.RS256);
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = HandMade.For(services).With(header: h => h["alg"] = "ES256").Signed(attacker);

        Assert.Equal(TokenFailureReason.WrongAlgorithm, (await services.Validator.ValidateAsync(token)).FailureReason);
    }

    [Theory]
    [InlineData("RS384")]
    [InlineData("PS256")]
    public async Task Validate_OtherRsaAlgorithmByTheRightKeyOnAnRs256Kid_IsWrongAlgorithm(string algorithm)
    {
        using var services = new TokenServices(options => options.Algorithm = TokenSigningAlgorithm.RS256);
        var rsa = RsaOf(services);
        var made = HandMade.For(services).With(header: h => h["alg"] = algorithm);
        var input = Encoding.ASCII.GetBytes(made.EncodedHeader + "." + made.EncodedPayload);
        var signature = algorithm == "RS384"
            ? rsa.SignData(input, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1)
            : rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

        var token = made.EncodedHeader + "." + made.EncodedPayload + "." + Base64UrlEncoder.Encode(signature);

        Assert.Equal(TokenFailureReason.WrongAlgorithm, (await services.Validator.ValidateAsync(token)).FailureReason);
    }

    [Fact]
    public async Task Validate_Hs256WithTheRsaPublicKeyAsSecret_IsWrongAlgorithm()
    {
        using var services = new TokenServices(options => options.Algorithm = TokenSigningAlgorithm.RS256);
        var secret = Encoding.ASCII.GetBytes(RsaOf(services).ExportSubjectPublicKeyInfoPem());
        var token = HandMade.For(services).With(header: h => h["alg"] = "HS256").SignedHmac(secret);

        Assert.Equal(TokenFailureReason.WrongAlgorithm, (await services.Validator.ValidateAsync(token)).FailureReason);
    }

    [Fact]
    public async Task Validate_UnknownKidAndWrongIssuer_IsUnknownKey()
    {
        using var services = new TokenServices();
        var token = HandMade.For(services).With(header: h => h["kid"] = "no-such-key", payload: p => p["iss"] = "someone-else").SignedEs256();

        Assert.Equal(TokenFailureReason.UnknownKey, (await services.Validator.ValidateAsync(token)).FailureReason);
    }

    [Theory]
    [InlineData("iss")]
    [InlineData("aud")]
    [InlineData("exp")]
    [InlineData("nbf")]
    public async Task Validate_ForgedSignatureWithAFailingClaim_IsBadSignature(string claim)
    {
        using var services = new TokenServices();
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = services.Time.GetUtcNow().ToUnixTimeSeconds();
        var token = HandMade.For(services).With(payload: p => p[claim] = claim switch
        {
            "exp" => now - 3600,
            "nbf" => now + 3600,
            _ => "someone-else",
        }).Signed(attacker);

        Assert.Equal(TokenFailureReason.BadSignature, (await services.Validator.ValidateAsync(token)).FailureReason);
    }

    [Theory]
    [InlineData("exp", 3600)]
    [InlineData("exp", -3600)]
    [InlineData("nbf", 0)]
    [InlineData("iat", 0)]
    public async Task Validate_NumericDateClaimAsJsonString_IsMalformed(string claim, int offsetSeconds)
    {
        using var services = new TokenServices();
        var at = services.Time.GetUtcNow().ToUnixTimeSeconds() + offsetSeconds;
        var token = HandMade.For(services).With(payload: p => p[claim] = at.ToString(System.Globalization.CultureInfo.InvariantCulture)).SignedEs256();

        Assert.Equal(TokenFailureReason.Malformed, (await services.Validator.ValidateAsync(token)).FailureReason);
    }

    [Fact]
    public async Task Validate_NumericDateWithFraction_IsAccepted()
    {
        // RFC 7519 §2: a NumericDate may be non-integer; only its JSON type is checked.
        using var services = new TokenServices();
        var exp = services.Time.GetUtcNow().ToUnixTimeSeconds() + 3600.5;
        var token = HandMade.For(services).With(payload: p => p["exp"] = exp).SignedEs256();

        Assert.True((await services.Validator.ValidateAsync(token)).IsValid);
    }

    [Theory]
    [InlineData("""["encrypt"]""", false)]
    [InlineData("""["sign"]""", false)]
    [InlineData("""[]""", false)]
    [InlineData("\"verify\"", false)]
    [InlineData("""["verify"]""", true)]
    [InlineData("""["sign","verify"]""", true)]
    public void ParseJwks_KeyOps_KeyVerifiesOnlyWhenItListsVerify(string keyOps, bool trusted)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var point = ecdsa.ExportParameters(includePrivateParameters: false).Q;
        var jwks = $$"""
            {"keys":[{"kty":"EC","crv":"P-256","kid":"k1","key_ops":{{keyOps}},
              "x":"{{Base64UrlEncoder.Encode(point.X)}}","y":"{{Base64UrlEncoder.Encode(point.Y)}}"}]}
            """;

        var keys = JwksKeySource.Parse(Encoding.UTF8.GetBytes(jwks));

        Assert.Equal(trusted ? 1 : 0, keys.Count);
    }

    private static RSA RsaOf(TokenServices services) =>
        ((RsaSecurityKey)services.Get<LocalKeyRing>().SigningKey.Credentials.Key).Rsa;
}

/// <summary>A token written by hand from a header and a payload, valid for <see cref="TokenServices"/> unless changed.</summary>
internal sealed class HandMade
{
    private readonly LocalKey _key;

    private HandMade(LocalKey key, Dictionary<string, object> header, Dictionary<string, object> payload)
    {
        _key = key;
        Header = header;
        Payload = payload;
    }

    public Dictionary<string, object> Header { get; }

    public Dictionary<string, object> Payload { get; }

    public string EncodedHeader => Encode(Header);

    public string EncodedPayload => Encode(Payload);

    public static HandMade For(TokenServices services)
    {
        var key = services.Get<LocalKeyRing>().SigningKey;
        var now = services.Time.GetUtcNow().ToUnixTimeSeconds();
        return new HandMade(
            key,
            new Dictionary<string, object> { ["alg"] = key.Algorithm, ["typ"] = "at+jwt", ["kid"] = key.KeyId },
            new Dictionary<string, object>
            {
                ["iss"] = "employees",
                ["aud"] = "employees",
                ["sub"] = "alice",
                ["iat"] = now,
                ["nbf"] = now,
                ["exp"] = now + 3600,
            });
    }

    public HandMade With(Action<Dictionary<string, object>>? header = null, Action<Dictionary<string, object>>? payload = null)
    {
        header?.Invoke(Header);
        payload?.Invoke(Payload);
        return this;
    }

    /// <summary>Signed with this service's own ES256 key, over the given segment texts (the encoded header and payload by default).</summary>
    public string SignedEs256(string? header = null, string? payload = null) =>
        Signed(((ECDsaSecurityKey)_key.Credentials.Key).ECDsa, header, payload);

    public string Signed(ECDsa by, string? header = null, string? payload = null)
    {
        var input = (header ?? EncodedHeader) + "." + (payload ?? EncodedPayload);
        // JWS ES256 signatures are r || s (IEEE P1363), .NET's default format for SignData.
        return input + "." + Base64UrlEncoder.Encode(by.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
    }

    public string SignedHmac(byte[] secret)
    {
        var input = EncodedHeader + "." + EncodedPayload;
        return input + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));
    }

    private static string Encode(Dictionary<string, object> part) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(part));
}

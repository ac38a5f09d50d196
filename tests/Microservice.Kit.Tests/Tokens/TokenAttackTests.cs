using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microservice.Kit.Tests.Infrastructure;
using Microservice.Kit.Tokens;
using Microservice.Kit.Tokens.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Microservice.Kit.Tests.Tokens;

/// <summary>
/// Every hostile or broken token the issue lists, sent to a real ES256 service over HTTP. Each must be a 401 problem
/// with a Bearer challenge, never a 500 and never a 200.
/// </summary>
public sealed class TokenAttackTests
{
    public static TheoryData<string> Attacks =>
    [
        "alg-none",                      // {"alg":"none"} and no signature
        "unsigned",                      // what JsonWebTokenHandler writes without signing credentials
        "hs256-signed-with-public-key",  // algorithm confusion: the ES256 public key (SPKI PEM) as the HMAC secret
        "hs256-signed-with-public-jwk",  // algorithm confusion: the published JWK's bytes as the HMAC secret
        "wrong-signature",               // right kid, signed by another key
        "truncated-signature",
        "empty-signature",
        "extra-segment",
        "missing-segment",
        "bad-base64url",
        "header-not-object",
        "payload-not-object",
        "expired",                       // exp 5 minutes ago, beyond the 30 s skew
        "nbf-in-future",                 // nbf in 10 minutes
        "wrong-issuer",
        "wrong-audience",
        "no-exp",
        "typ-jwt",                       // typ other than at+jwt
        "no-typ",
        "unknown-kid",
        "no-kid",
        "kid-with-path-characters",      // kid "../../etc/passwd", signed by the real key
        "embedded-jwk",                  // attacker's key in the header, signed by it
        "embedded-jku",                  // attacker's key URL in the header
        "embedded-jwk-with-trusted-signature", // a jwk header on an otherwise valid token
        "x5c-header",
        "over-size-cap",
        "retired-key",
        "random-string",
        "empty-bearer",
    ];

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Request_WithHostileToken_Is401ProblemWithBearerChallenge(string attack)
    {
        await using var host = await TokenTestHost.StartAsync();
        var token = await BuildAsync(attack, host);

        using var response = await host.Client.SendAsync(TokenTestHost.Get("/employees", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(TokenDefaults.InvalidTokenCode, problem.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Request_WithTheUntamperedToken_Is200()
    {
        // The control for the theory above: the same builder, unmodified, is accepted.
        await using var host = await TokenTestHost.StartAsync();

        using var response = await host.Client.SendAsync(TokenTestHost.Get("/employees", await BuildAsync("valid", host)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string> BuildAsync(string attack, KestrelTestHost host)
    {
        var ring = host.Services.GetRequiredService<LocalKeyRing>();
        var key = ring.SigningKey;
        var signer = ((ECDsaSecurityKey)key.Credentials.Key).ECDsa;
        var now = DateTime.UtcNow;
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var attackerKey = new ECDsaSecurityKey(attacker) { KeyId = "attacker" };

        var header = new Dictionary<string, object> { ["alg"] = "ES256", ["typ"] = "at+jwt", ["kid"] = key.KeyId };
        var payload = new Dictionary<string, object>
        {
            ["iss"] = TokenTestHost.Issuer,
            ["aud"] = TokenTestHost.Issuer,
            ["sub"] = "mallory",
            ["iat"] = ToUnix(now),
            ["nbf"] = ToUnix(now),
            ["exp"] = ToUnix(now.AddHours(1)),
            ["permissions"] = new[] { "emp.create" },
        };

        string Signed(ECDsa by) => Sign(header, payload, by);
        string Hmac(byte[] secret)
        {
            header["alg"] = "HS256";
            var input = Encode(header) + "." + Encode(payload);
            return input + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));
        }

        var valid = Signed(signer);
        var parts = valid.Split('.');
        switch (attack)
        {
            case "valid":
                return valid;
            case "alg-none":
                header["alg"] = "none";
                return Encode(header) + "." + Encode(payload) + ".";
            case "unsigned":
                return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
                {
                    Issuer = TokenTestHost.Issuer,
                    Audience = TokenTestHost.Issuer,
                    Expires = now.AddHours(1),
                    TokenType = "at+jwt",
                    Claims = new Dictionary<string, object> { ["permissions"] = new[] { "emp.create" } },
                });
            case "hs256-signed-with-public-key":
                return Hmac(Encoding.ASCII.GetBytes(signer.ExportSubjectPublicKeyInfoPem()));
            case "hs256-signed-with-public-jwk":
                return Hmac(ring.State.Jwks);
            case "wrong-signature":
                return Signed(attacker);
            case "truncated-signature":
                return valid[..^10];
            case "empty-signature":
                return parts[0] + "." + parts[1] + ".";
            case "extra-segment":
                return valid + "." + parts[2];
            case "missing-segment":
                return parts[0] + "." + parts[1];
            case "bad-base64url":
                return parts[0] + ".eyJzdWIiOiJtYWxsb3J5I*!$." + parts[2];
            case "header-not-object":
                return Base64UrlEncoder.Encode("\"ES256\"") + "." + parts[1] + "." + parts[2];
            case "payload-not-object":
            {
                var input = parts[0] + "." + Base64UrlEncoder.Encode("[\"emp.create\"]");
                return input + "." + Base64UrlEncoder.Encode(signer.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
            }

            case "expired":
                payload["iat"] = ToUnix(now.AddHours(-2));
                payload["nbf"] = ToUnix(now.AddHours(-2));
                payload["exp"] = ToUnix(now.AddMinutes(-5));
                return Signed(signer);
            case "nbf-in-future":
                payload["nbf"] = ToUnix(now.AddMinutes(10));
                return Signed(signer);
            case "wrong-issuer":
                payload["iss"] = "someone-else";
                return Signed(signer);
            case "wrong-audience":
                payload["aud"] = "library";
                return Signed(signer);
            case "no-exp":
                payload.Remove("exp");
                return Signed(signer);
            case "typ-jwt":
                header["typ"] = "JWT";
                return Signed(signer);
            case "no-typ":
                header.Remove("typ");
                return Signed(signer);
            case "unknown-kid":
                header["kid"] = "no-such-key";
                return Signed(signer);
            case "no-kid":
                header.Remove("kid");
                return Signed(signer);
            case "kid-with-path-characters":
                header["kid"] = "../../etc/passwd";
                return Signed(signer);
            case "embedded-jwk":
                header["kid"] = "attacker";
                header["jwk"] = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(attackerKey).ToDictionary();
                return Signed(attacker);
            case "embedded-jku":
                header["kid"] = "attacker";
                header["jku"] = "http://127.0.0.1:9/jwks.json";
                return Signed(attacker);
            case "embedded-jwk-with-trusted-signature":
                header["jwk"] = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(attackerKey).ToDictionary();
                return Signed(signer);
            case "x5c-header":
                header["x5c"] = new[] { "MIIB" };
                return Signed(signer);
            case "over-size-cap":
                payload["padding"] = new string('a', 9000);
                return Signed(signer);
            case "retired-key":
            {
                var keys = host.Services.GetRequiredService<ITokenKeyManager>();
                var old = key.KeyId;
                await keys.RotateAsync(TimeSpan.Zero);
                await keys.RevokeAsync(old);
                return valid;
            }

            case "random-string":
                return "this-is-not-a-token";
            case "empty-bearer":
                return "";
            default:
                throw new ArgumentOutOfRangeException(nameof(attack), attack, "no such case");
        }
    }

    private static long ToUnix(DateTime time) => new DateTimeOffset(time).ToUnixTimeSeconds();

    private static string Encode(Dictionary<string, object> part) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(part));

    private static string Sign(Dictionary<string, object> header, Dictionary<string, object> payload, ECDsa key)
    {
        var input = Encode(header) + "." + Encode(payload);
        // JWS ES256 signatures are r || s (IEEE P1363), .NET's default format for SignData.
        return input + "." + Base64UrlEncoder.Encode(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
    }
}

internal static class JsonWebKeyExtensions
{
    public static Dictionary<string, object> ToDictionary(this JsonWebKey key) => new()
    {
        ["kty"] = key.Kty,
        ["crv"] = key.Crv,
        ["x"] = key.X,
        ["y"] = key.Y,
    };
}

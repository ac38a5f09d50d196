using System.Net;
using System.Text.Json.Nodes;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Microservice.Kit.Tests.Tokens.Interop;

/// <summary>
/// Tokens that <c>jose</c> (npm), an implementation nobody here wrote, signs as a third-party issuer, accepted by the kit
/// through a JWKS that a loopback server publishes. The converse (jose verifying the kit's tokens) runs against the real
/// Employees sample in Samples.Tests.
/// </summary>
public sealed class JoseInteropTests
{
    [NodeTheory("jose")]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public async Task JoseSignedToken_ThroughAPublishedJwks_IsAcceptedByTheKit(string algorithm)
    {
        var signed = await SignWithJoseAsync(algorithm);
        await using var jwks = await StartJwksServerAsync(signed["jwk"]!);
        await using var validator = await StartValidatorAsync(jwks);

        using var accepted = await validator.Client.SendAsync(TokenTestHost.Get("/employees", signed["token"]!.GetValue<string>()));
        using var me = await validator.Client.SendAsync(TokenTestHost.Get("/me", signed["token"]!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("jose-user", await me.Content.ReadAsStringAsync());
    }

    [NodeTheory("jose")]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public async Task JoseSignedToken_WithOneSignatureByteChanged_IsRejected(string algorithm)
    {
        // The control for the test above: the same path with a broken signature is a 401, so acceptance means verification.
        var signed = await SignWithJoseAsync(algorithm);
        await using var jwks = await StartJwksServerAsync(signed["jwk"]!);
        await using var validator = await StartValidatorAsync(jwks);
        var token = signed["token"]!.GetValue<string>();
        var broken = token[..^10] + (token[^10] == 'A' ? 'B' : 'A') + token[^9..];

        using var response = await validator.Client.SendAsync(TokenTestHost.Get("/employees", broken));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static async Task<JsonNode> SignWithJoseAsync(string algorithm)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return await NodeTools.RunAsync("jose-sign.mjs", new JsonObject
        {
            ["alg"] = algorithm,
            ["kid"] = "jose-" + algorithm.ToLowerInvariant(),
            ["claims"] = new JsonObject
            {
                ["iss"] = TokenTestHost.Issuer,
                ["aud"] = TokenTestHost.Issuer,
                ["sub"] = "jose-user",
                ["iat"] = now,
                ["nbf"] = now,
                ["exp"] = now + 600,
                ["jti"] = Guid.NewGuid().ToString("N"),
                ["permissions"] = new JsonArray("emp.create"),
            },
        });
    }

    private static Task<KestrelTestHost> StartJwksServerAsync(JsonNode jwk)
    {
        var document = new JsonObject { ["keys"] = new JsonArray(jwk.DeepClone()) }.ToJsonString();
        return KestrelTestHost.StartAsync(
            _ => { },
            app => app.MapGet("/jwks.json", () => Results.Text(document, "application/jwk-set+json")));
    }

    private static Task<KestrelTestHost> StartValidatorAsync(KestrelTestHost jwks) => TokenTestHost.StartAsync(
        options =>
        {
            options.Issuer = TokenTestHost.Issuer;
            options.JwksUrl = new Uri(jwks.BaseAddress, "/jwks.json").ToString();
        },
        issue: false);
}

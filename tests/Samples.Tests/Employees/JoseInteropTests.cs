using Microservice.Kit.Tests.Tokens.Interop;

namespace Samples.Tests.Employees;

/// <summary>
/// <c>jose</c> (npm), an implementation nobody here wrote, verifies a token of the running Employees service through its
/// published JWKS: signature, <c>alg</c>, <c>typ</c>, <c>iss</c>, <c>aud</c> and <c>exp</c>.
/// </summary>
[Collection(EmployeesServiceGroup.Name)]
public sealed class JoseInteropTests(EmployeesFixture fixture)
{
    [NodeFact("jose")]
    public async Task EmployeesToken_VerifiedByJoseThroughTheJwks_HasTheAccessTokenHeaderAndClaims()
    {
        var verified = await VerifyAsync(fixture.AdminToken);

        Assert.Equal("ES256", verified["protectedHeader"]!["alg"]!.GetValue<string>());
        Assert.Equal("at+jwt", verified["protectedHeader"]!["typ"]!.GetValue<string>());
        var payload = verified["payload"]!;
        Assert.Equal("employees", payload["iss"]!.GetValue<string>());
        Assert.Equal("kit-samples", payload["aud"]!.GetValue<string>());
        Assert.Equal("admin", payload["sub"]!.GetValue<string>());
        Assert.True(payload["exp"]!.GetValue<long>() > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    [NodeFact("jose")]
    public async Task EmployeesTokenWithAChangedClaim_IsRejectedByJose()
    {
        // The control: jose does verify; a payload changed after signing fails there too.
        var segments = fixture.AdminToken.Split('.');
        var payload = JsonNode.Parse(Convert.FromBase64String(Pad(segments[1])))!;
        payload["sub"] = "mallory";
        var forged = segments[0] + "." + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(payload.ToJsonString()))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_') + "." + segments[2];

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => VerifyAsync(forged));

        Assert.Contains("signature verification failed", failure.Message, StringComparison.OrdinalIgnoreCase);
    }

    private Task<JsonNode> VerifyAsync(string token) => NodeTools.RunAsync("jose-verify.mjs", new JsonObject
    {
        ["token"] = token,
        ["jwksUrl"] = new Uri(fixture.Employees.BaseAddress, "/.well-known/jwks.json").ToString(),
        ["issuer"] = "employees",
        ["audience"] = "kit-samples",
        ["algorithms"] = new JsonArray("ES256"),
    });

    private static string Pad(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
    }
}

using System.Text.Json;
using Microservice.Kit.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Microservice.Kit.Tests.Tokens;

public sealed class TokenIssuerTests
{
    [Fact]
    public void Issue_WritesEveryRegisteredClaimAndTheAccessTokenHeader()
    {
        using var services = new TokenServices();

        var issued = services.Issuer.Issue(new TokenRequest("alice")
        {
            Permissions = ["emp.create", "emp.list"],
            Claims = new Dictionary<string, object> { ["department"] = "it" },
        });
        var jwt = new JsonWebToken(issued.AccessToken);

        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal(issued.KeyId, jwt.Kid);
        Assert.Equal("employees", jwt.Issuer);
        Assert.Equal(["employees"], jwt.Audiences);
        Assert.Equal("alice", jwt.Subject);
        Assert.Equal(issued.TokenId, jwt.Id);
        Assert.Equal("it", jwt.GetClaim("department").Value);
        var now = services.Time.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal(now, jwt.GetPayloadValue<long>("iat"));
        Assert.Equal(now, jwt.GetPayloadValue<long>("nbf"));
        Assert.Equal(now + 3600, jwt.GetPayloadValue<long>("exp"));
        using var payload = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(jwt.EncodedPayload));
        Assert.Equal(JsonValueKind.Array, payload.RootElement.GetProperty("permissions").ValueKind);
        Assert.Equal(["emp.create", "emp.list"], payload.RootElement.GetProperty("permissions").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Issue_ReportsTheTokenResponseFacts()
    {
        using var services = new TokenServices();

        var issued = services.Issuer.Issue(new TokenRequest("alice") { Lifetime = TimeSpan.FromMinutes(15) });

        Assert.Equal("Bearer", issued.TokenType);
        Assert.Equal(900, issued.ExpiresIn);
        Assert.Equal(services.Time.GetUtcNow().AddMinutes(15), issued.ExpiresAt);
    }

    [Fact]
    public void Issue_TwoTokens_HaveDifferentIds()
    {
        using var services = new TokenServices();

        var first = services.Issuer.Issue(new TokenRequest("alice"));
        var second = services.Issuer.Issue(new TokenRequest("alice"));

        Assert.NotEqual(first.TokenId, second.TokenId);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
    }

    [Theory]
    [InlineData("exp")]
    [InlineData("iss")]
    [InlineData("permissions")]
    public void Issue_ExtraClaimWithARegisteredName_IsRefused(string name)
    {
        using var services = new TokenServices();

        var error = Assert.Throws<ArgumentException>(() => services.Issuer.Issue(new TokenRequest("alice")
        {
            Claims = new Dictionary<string, object> { [name] = "x" },
        }));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Issue_Hs256_SignsWithTheSecret()
    {
        using var services = new TokenServices(options =>
        {
            options.Algorithm = TokenSigningAlgorithm.HS256;
            options.Secret = "a-test-secret-that-is-at-least-32-bytes-long";
        });

        var jwt = new JsonWebToken(services.Issuer.Issue(new TokenRequest("alice")).AccessToken);

        Assert.Equal("HS256", jwt.Alg);
        Assert.StartsWith("hs-", jwt.Kid, StringComparison.Ordinal);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microservice.Kit.Tests.Infrastructure;
using Microservice.Kit.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Microservice.Kit.Tests.Tokens;

/// <summary>The client-credentials grant (RFC 6749 §4.4) on a kit token endpoint, against a real loopback service.</summary>
public sealed class ClientCredentialsGrantTests
{
    public const string ClientId = "library";
    public const string Secret = "library-secret-0123456789abcdef";

    // Hashing is deliberately slow (PBKDF2); hash once for the whole class.
    internal static readonly string SecretHash = ClientSecretHasher.Hash(Secret);

    [Fact]
    public async Task Grant_BasicAuthentication_IssuesATokenTheServiceAccepts_NeverCached()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.SendAsync(TokenRequest(basic: (ClientId, Secret)));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.GetProperty("expires_in").GetInt64());
        Assert.Equal("emp.create emp.read", body.GetProperty("scope").GetString());
        var token = body.GetProperty("access_token").GetString()!;
        var jwt = new JsonWebToken(token);
        Assert.Equal(ClientId, jwt.Subject);
        Assert.Equal(ClientId, jwt.GetClaim("client_id").Value);
        using var call = await host.Client.SendAsync(TokenTestHost.Get("/employees", token));
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
    }

    [Fact]
    public async Task Grant_FormFieldAuthentication_IsAccepted()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.SendAsync(TokenRequest(fields: [new("client_id", ClientId), new("client_secret", Secret)]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Grant_ScopeNarrowsThePermissions()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.SendAsync(TokenRequest(basic: (ClientId, Secret), fields: [new("scope", "emp.read")]));
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        using var call = await host.Client.SendAsync(TokenTestHost.Get("/employees", token));

        Assert.Equal(HttpStatusCode.Forbidden, call.StatusCode);    // emp.create was not asked for
    }

    [Theory]
    [InlineData("wrong-secret-0123456789", ClientId, HttpStatusCode.Unauthorized, "invalid_client", "InvalidClient")]
    [InlineData(Secret, "unknown-client", HttpStatusCode.Unauthorized, "invalid_client", "InvalidClient")]
    public async Task Grant_WrongCredentials_Is401InvalidClientWithABasicChallenge(string secret, string clientId, HttpStatusCode status, string error, string code)
    {
        await using var host = await StartAsync();

        using var response = await host.Client.SendAsync(TokenRequest(basic: (clientId, secret)));

        await AssertErrorAsync(response, status, error, code);
        Assert.StartsWith("Basic", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, (string, string)?, KeyValuePair<string, string>[], HttpStatusCode, string, string> Refusals => new()
    {
        { "a scope the client may not hold", (ClientId, Secret), [new("scope", "emp.read users.manage")], HttpStatusCode.BadRequest, "invalid_scope", "InvalidScope" },
        { "no client authentication", null, [], HttpStatusCode.Unauthorized, "invalid_client", "InvalidClient" },
        { "Basic and a form secret at once", (ClientId, Secret), [new("client_secret", Secret)], HttpStatusCode.BadRequest, "invalid_request", "BadRequest" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Grant_BadRequest_IsAnOAuthErrorInAProblemDocument(string because, (string, string)? basic, KeyValuePair<string, string>[] fields, HttpStatusCode status, string error, string code)
    {
        await using var host = await StartAsync();

        using var response = await host.Client.SendAsync(TokenRequest(basic, fields));

        Assert.True(response.StatusCode == status, because);
        await AssertErrorAsync(response, status, error, code);
    }

    [Theory]
    [InlineData("password", HttpStatusCode.BadRequest, "unsupported_grant_type", "UnsupportedGrantType")]
    [InlineData("", HttpStatusCode.BadRequest, "invalid_request", "BadRequest")]
    public async Task Grant_OtherGrantType_IsRefused(string grantType, HttpStatusCode status, string error, string code)
    {
        await using var host = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tokens")
        {
            Content = new FormUrlEncodedContent([new("grant_type", grantType), new("username", "alice"), new("password", "pw")]),
        };

        using var response = await host.Client.SendAsync(request);

        await AssertErrorAsync(response, status, error, code);
    }

    [Fact]
    public async Task Grant_RepeatedWrongSecrets_LockTheClientOut_EvenForTheRightSecret()
    {
        await using var host = await StartAsync();
        for (var i = 0; i < 2; i++)
        {
            using var wrong = await host.Client.SendAsync(TokenRequest(basic: (ClientId, "wrong-secret-0123456789")));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var response = await host.Client.SendAsync(TokenRequest(basic: (ClientId, Secret)));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task JsonRequest_StillReachesTheEndpointsHandler()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.PostAsJsonAsync("/tokens", new { username = "alice" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("handler alice", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    internal static Task<KestrelTestHost> StartAsync() => KestrelTestHost.StartAsync(
        builder =>
        {
            builder.Services.Configure<SignInThrottleOptions>(options => options.FailuresBeforeLockout = 2);
            builder.AddMicroserviceKit(options => options.ServiceName = TokenTestHost.Issuer)
                .AddTokenValidation(options => options.Clients[ClientId] = new TokenClientOptions { SecretHash = SecretHash, Permissions = ["emp.create", "emp.read"] })
                .AddTokenIssuer();
        },
        app =>
        {
            app.UseMicroserviceKit();
            app.MapTokenEndpoint("/tokens", (UserBody body) => Results.Text("handler " + body.Username)).RequireSignInThrottling();
            app.MapGet("/employees", () => "created").RequirePermission("emp.create");
        });

    internal static HttpRequestMessage TokenRequest((string Id, string Secret)? basic = null, KeyValuePair<string, string>[]? fields = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/tokens")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), .. fields ?? []]),
        };
        if (basic is { } credentials)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials.Id + ":" + credentials.Secret)));
        }

        return request;
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error, string code)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("detail").GetString()));
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.DoesNotContain(Secret, body.GetRawText(), StringComparison.Ordinal);
    }

    private sealed record UserBody(string? Username);
}

using System.Net;
using System.Text.Json;
using Microservice.Kit.Tokens;

namespace Microservice.Kit.Tests.Tokens;

public sealed class TokenAuthenticationTests
{
    [Fact]
    public async Task Request_WithoutToken_Is401UnauthorizedProblem()
    {
        await using var host = await TokenTestHost.StartAsync();

        using var response = await host.Client.SendAsync(TokenTestHost.Get("/employees", token: null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Unauthorized", await CodeOf(response));
    }

    [Fact]
    public async Task Request_WithoutToken_ChallengesBearerWithoutErrorCode()
    {
        await using var host = await TokenTestHost.StartAsync();

        using var response = await host.Client.SendAsync(TokenTestHost.Get("/employees", token: null));

        // RFC 6750 §3.1: no credentials, no error code.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("Authorization", "Bearer not-a-jwt")]
    [InlineData("Authorization", "Bearer")]
    [InlineData("X-Auth-Header", "not-a-jwt")]
    public async Task Request_WithInvalidToken_ChallengesBearerWithInvalidTokenError(string header, string value)
    {
        await using var host = await TokenTestHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/employees");
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(TokenDefaults.InvalidTokenCode, await CodeOf(response));
    }

    [Theory]
    [InlineData("/employees")]
    [InlineData("/by-policy")]
    public async Task Request_WithoutThePermission_Is403ForbiddenProblem(string path)
    {
        await using var host = await TokenTestHost.StartAsync();

        using var response = await host.Client.SendAsync(TokenTestHost.Get(path, host.Issue("emp.list")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Forbidden", await CodeOf(response));
    }

    [Theory]
    [InlineData("/employees", "Authorization")]
    [InlineData("/employees", "X-Auth-Header")]
    [InlineData("/by-policy", "Authorization")]
    public async Task Request_WithThePermission_Is200(string path, string header)
    {
        await using var host = await TokenTestHost.StartAsync();

        using var response = await host.Client.SendAsync(TokenTestHost.Get(path, host.Issue("emp.create"), header));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("created", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Request_User_IsTheTokensSubject()
    {
        await using var host = await TokenTestHost.StartAsync();
        var token = host.Issue();

        var first = await host.Client.SendAsync(TokenTestHost.Get("/me", token));
        var second = await host.Client.SendAsync(TokenTestHost.Get("/me", token));

        Assert.Equal("alice", await first.Content.ReadAsStringAsync());
        Assert.Equal("alice", await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CustomHeader_NotConfigured_IsIgnored()
    {
        await using var host = await TokenTestHost.StartAsync(options => options.TokenHeader = null);

        using var response = await host.Client.SendAsync(TokenTestHost.Get("/employees", host.Issue("emp.create"), "X-Auth-Header"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Unauthorized", await CodeOf(response));
    }

    [Fact]
    public async Task Jwks_IsServedByMapKitEndpointsWithPublicKeysOnly()
    {
        await using var host = await TokenTestHost.StartAsync();

        using var response = await host.Client.GetAsync(new Uri(TokenDefaults.JwksPath, UriKind.Relative));
        using var jwks = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var key = Assert.Single(jwks.RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.False(key.TryGetProperty("d", out _));
    }

    private static async Task<string?> CodeOf(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("code").GetString();
    }
}

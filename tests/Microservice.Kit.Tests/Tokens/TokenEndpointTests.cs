using System.Net;
using Microservice.Kit.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Microservice.Kit.Tests.Tokens;

public sealed class TokenEndpointTests
{
    [Fact]
    public async Task MapTokenEndpoint_Response_IsAnonymousAndNeverStoredByACache()
    {
        await using var host = await TokenTestHost.StartAsync(configureApp: app =>
            app.MapTokenEndpoint("/tokens", (ITokenIssuer issuer) =>
            {
                var token = issuer.Issue(new TokenRequest("alice"));
                return Results.Ok(new { access_token = token.AccessToken, token_type = token.TokenType, expires_in = token.ExpiresIn });
            }));

        using var response = await host.Client.PostAsync("/tokens", content: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, response.Headers.CacheControl?.ToString());
        Assert.Contains("no-cache", response.Headers.Pragma.Select(p => p.Name));
    }

    [Fact]
    public async Task MapTokenEndpoint_GetInsteadOfPost_Is405()
    {
        await using var host = await TokenTestHost.StartAsync(configureApp: app => app.MapTokenEndpoint("/tokens", () => Results.Ok()));

        using var response = await host.Client.GetAsync("/tokens");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task MapTokenEndpoint_WithoutTokenIssuer_FailsAtOnceNamingTheCall()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TokenTestHost.StartAsync(
            issue: false, configureApp: app => app.MapTokenEndpoint("/tokens", () => Results.Ok())));

        Assert.Contains("AddTokenIssuer()", error.Message, StringComparison.Ordinal);
    }
}

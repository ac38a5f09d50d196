using System.Security.Claims;
using Microservice.Kit.Tokens;
using Microservice.Kit.Tokens.Internal;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tests.Tokens.Internal;

public sealed class PermissionAuthorizationHandlerTests
{
    [Fact]
    public async Task TokenPrincipal_HoldingThePermission_Succeeds()
    {
        var user = new TokenPrincipal(Identity("emp.list", "emp.create"));

        Assert.True(await SucceedsAsync(user, "emp.create"));
        Assert.False(await SucceedsAsync(user, "emp.delete"));
    }

    [Fact]
    public async Task TokenPrincipal_WithAnIdentityAddedAfterwards_CountsThatIdentitysPermissionsToo()
    {
        // Claims transformation may add an identity; RequireClaim looked at every identity, and so does the handler.
        var user = new TokenPrincipal(Identity("emp.list"));
        user.AddIdentity(new ClaimsIdentity([new Claim(TokenDefaults.PermissionsClaim, "emp.delete")]));

        Assert.True(await SucceedsAsync(user, "emp.delete"));
    }

    [Fact]
    public async Task AnonymousIdentity_WithThePermissionClaim_Fails()
    {
        // RequireAuthenticatedUser: a claim on an identity nobody authenticated grants nothing.
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(TokenDefaults.PermissionsClaim, "emp.list")]));

        Assert.False(await SucceedsAsync(user, "emp.list"));
        Assert.False(await SucceedsAsync(new TokenPrincipal(new ClaimsIdentity([new Claim(TokenDefaults.PermissionsClaim, "emp.list")])), "emp.list"));
    }

    [Fact]
    public async Task PermissionClaimsAreComparedOrdinally()
    {
        var user = new ClaimsPrincipal(Identity("Emp.List"));

        Assert.False(await SucceedsAsync(user, "emp.list"));
        Assert.True(await SucceedsAsync(user, "Emp.List"));
    }

    [Fact]
    public async Task ClaimType_IsComparedIgnoringCase_AsRequireClaimDid()
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("Permissions", "emp.list")], authenticationType: "test"));

        Assert.True(await SucceedsAsync(user, "emp.list"));
    }

    [Fact]
    public async Task Policy_WhenTheKitSchemeIsTheDefault_NamesNoScheme()
    {
        // Naming the scheme would make ASP.NET Core authenticate again and copy the principal on every request.
        var policy = await Provider(new AuthenticationOptions { DefaultScheme = TokenDefaults.AuthenticationScheme }).GetPolicyAsync("perm:emp.list");

        Assert.NotNull(policy);
        Assert.Empty(policy.AuthenticationSchemes);
        Assert.Equal("emp.list", Assert.IsType<PermissionRequirement>(Assert.Single(policy.Requirements)).Permission);
    }

    [Fact]
    public async Task Policy_WhenAnotherSchemeIsTheDefault_NamesTheKitScheme()
    {
        var policy = await Provider(new AuthenticationOptions { DefaultScheme = "Cookies" }).GetPolicyAsync("perm:emp.list");

        Assert.NotNull(policy);
        Assert.Equal([TokenDefaults.AuthenticationScheme], policy.AuthenticationSchemes);
    }

    private static ClaimsIdentity Identity(params string[] permissions) =>
        new(permissions.Select(p => new Claim(TokenDefaults.PermissionsClaim, p)), authenticationType: "test");

    private static async Task<bool> SucceedsAsync(ClaimsPrincipal user, string permission)
    {
        var requirement = new PermissionRequirement(permission);
        var context = new AuthorizationHandlerContext([requirement], user, resource: new DefaultHttpContext());
        await new PermissionAuthorizationHandler().HandleAsync(context);
        return context.HasSucceeded;
    }

    private static PermissionPolicyProvider Provider(AuthenticationOptions authentication) =>
        new(Options.Create(new AuthorizationOptions()), Options.Create(authentication));
}

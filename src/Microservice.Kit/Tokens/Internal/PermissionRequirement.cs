using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>"Authenticated, and holding this permission": what a <c>perm:</c> policy requires.</summary>
internal sealed class PermissionRequirement(string permission) : IAuthorizationRequirement
{
    public string Permission { get; } = permission;

    public override string ToString() => $"PermissionRequirement: {TokenDefaults.PermissionsClaim} contains '{Permission}'";
}

/// <summary>
/// Decides <see cref="PermissionRequirement"/>s. The same rule as ASP.NET Core's <c>RequireAuthenticatedUser</c> plus
/// <c>RequireClaim</c> (some authenticated identity, some identity with the claim), checked without the per-call
/// enumerators those two allocate on every request: the kit's own principal keeps its one identity at hand.
/// </summary>
internal sealed class PermissionAuthorizationHandler : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        if (context.Requirements is not IReadOnlyList<IAuthorizationRequirement> requirements)
        {
            foreach (var requirement in context.Requirements)
            {
                Decide(context, requirement);
            }

            return Task.CompletedTask;
        }

        for (var i = 0; i < requirements.Count; i++)
        {
            Decide(context, requirements[i]);
        }

        return Task.CompletedTask;
    }

    private static void Decide(AuthorizationHandlerContext context, IAuthorizationRequirement requirement)
    {
        if (requirement is PermissionRequirement permission && Holds(context.User, permission.Permission))
        {
            context.Succeed(requirement);
        }
    }

    internal static bool Holds(ClaimsPrincipal? user, string permission)
    {
        if (user is TokenPrincipal { Identities: ICollection<ClaimsIdentity> { Count: 1 } } token)
        {
            // Only the token's identity: nothing was added to the principal since it was made.
            return token.TokenIdentity.IsAuthenticated && HasPermission(token.TokenIdentity, permission);
        }

        if (user is null)
        {
            return false;
        }

        var authenticated = false;
        var holds = false;
        foreach (var identity in user.Identities)
        {
            authenticated |= identity.IsAuthenticated;
            holds = holds || HasPermission(identity, permission);
        }

        return authenticated && holds;
    }

    private static bool HasPermission(ClaimsIdentity identity, string permission)
    {
        foreach (var claim in identity.Claims)
        {
            // RequireClaim's comparison: the type ignoring case, the value exactly.
            if (string.Equals(claim.Type, TokenDefaults.PermissionsClaim, StringComparison.OrdinalIgnoreCase)
                && string.Equals(claim.Value, permission, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The principal of a token the kit validated: its one identity, kept so that authorization need not search for it.</summary>
internal sealed class TokenPrincipal : ClaimsPrincipal
{
    public TokenPrincipal(ClaimsIdentity identity)
        : base(identity)
    {
        TokenIdentity = identity;
    }

    public ClaimsIdentity TokenIdentity { get; }
}

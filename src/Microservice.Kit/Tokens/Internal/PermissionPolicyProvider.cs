using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// Turns a policy name <c>perm:emp.create</c> into "authenticated with the kit's scheme and holding the
/// <c>emp.create</c> permission"; every other name goes to the default provider.
/// </summary>
internal sealed class PermissionPolicyProvider : DefaultAuthorizationPolicyProvider
{
    private readonly ConcurrentDictionary<string, AuthorizationPolicy> _policies = new(StringComparer.Ordinal);

    public PermissionPolicyProvider(IOptions<AuthorizationOptions> options)
        : base(options)
    {
    }

    /// <summary>
    /// Permission policies never change once built, and the others come from <see cref="AuthorizationOptions"/> as the
    /// base class's do. Without this the authorization middleware asks for and combines an endpoint's policies on every
    /// request (a derived provider opts out of its cache by default).
    /// </summary>
    public override bool AllowsCachingPolicies => true;

    public override Task<AuthorizationPolicy?> GetPolicyAsync(string policyName)
    {
        if (policyName.StartsWith(TokenDefaults.PermissionPolicyPrefix, StringComparison.Ordinal)
            && policyName.Length > TokenDefaults.PermissionPolicyPrefix.Length)
        {
            return Task.FromResult<AuthorizationPolicy?>(_policies.GetOrAdd(policyName, static name =>
                new AuthorizationPolicyBuilder(TokenDefaults.AuthenticationScheme)
                    .RequireAuthenticatedUser()
                    .RequireClaim(TokenDefaults.PermissionsClaim, name[TokenDefaults.PermissionPolicyPrefix.Length..])
                    .Build()));
        }

        return base.GetPolicyAsync(policyName);
    }
}

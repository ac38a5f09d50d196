using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// Turns a policy name <c>perm:emp.create</c> into "authenticated with the kit's scheme and holding the
/// <c>emp.create</c> permission" (<see cref="PermissionRequirement"/>); every other name goes to the default provider.
/// </summary>
internal sealed class PermissionPolicyProvider : DefaultAuthorizationPolicyProvider
{
    private readonly ConcurrentDictionary<string, AuthorizationPolicy> _policies = new(StringComparer.Ordinal);

    private readonly IOptions<AuthenticationOptions> _authentication;

    public PermissionPolicyProvider(IOptions<AuthorizationOptions> options, IOptions<AuthenticationOptions> authentication)
        : base(options)
    {
        _authentication = authentication;
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
            return Task.FromResult<AuthorizationPolicy?>(_policies.GetOrAdd(policyName, static (name, kitIsDefault) =>
                (kitIsDefault ? new AuthorizationPolicyBuilder() : new AuthorizationPolicyBuilder(TokenDefaults.AuthenticationScheme))
                    .AddRequirements(new PermissionRequirement(name[TokenDefaults.PermissionPolicyPrefix.Length..]))
                    .Build(), KitSchemeIsDefault()));
        }

        return base.GetPolicyAsync(policyName);
    }

    /// <summary>
    /// Whether the authentication middleware already authenticates with the kit's scheme. Then a policy that names the
    /// scheme would make ASP.NET Core authenticate a second time and copy the principal on every request; without the
    /// name it uses the middleware's result, which is the same one.
    /// </summary>
    private bool KitSchemeIsDefault()
    {
        var options = _authentication.Value;
        return string.Equals(options.DefaultAuthenticateScheme ?? options.DefaultScheme, TokenDefaults.AuthenticationScheme, StringComparison.Ordinal);
    }
}

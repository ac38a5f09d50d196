using System.Security.Claims;

namespace Microservice.Kit.Tokens;

/// <summary>
/// Decides whether a caller may grant permissions to someone else (create a user, issue a token for another
/// subject): a grant is bounded by the granter's own token, so that holding the "manage" permission never becomes a
/// way to obtain every other permission.
/// </summary>
/// <remarks>
/// The rule: the caller must hold <c>managePermission</c> (the permission that allows granting at all), and every
/// permission it grants. Granting <c>managePermission</c> itself therefore needs every permission of that grant too,
/// so a manager can only ever make managers weaker than or equal to itself. Permissions are the
/// <see cref="TokenDefaults.PermissionsClaim"/> claims of an authenticated identity, compared ordinally.
/// </remarks>
public static class PermissionGrants
{
    /// <summary>Returns the permissions the caller would need but does not hold to grant <paramref name="permissions"/>.</summary>
    /// <param name="caller">The authenticated caller, usually <c>HttpContext.User</c>.</param>
    /// <param name="permissions">The permissions to grant; duplicates are ignored.</param>
    /// <param name="managePermission">The permission that allows granting at all, for example <c>users.manage</c>.</param>
    /// <returns>The permissions not held, in the order first met (<paramref name="managePermission"/> first when missing); empty when the grant is allowed.</returns>
    public static IReadOnlyList<string> FindPermissionsNotHeld(this ClaimsPrincipal caller, IEnumerable<string> permissions, string managePermission)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(permissions);
        ArgumentException.ThrowIfNullOrWhiteSpace(managePermission);

        var held = HeldPermissions(caller);
        var notHeld = new List<string>();
        if (!held.Contains(managePermission))
        {
            notHeld.Add(managePermission);
        }

        foreach (var permission in permissions)
        {
            if (permission is null)
            {
                throw new ArgumentException("A permission to grant is null.", nameof(permissions));
            }

            if (!held.Contains(permission) && !notHeld.Contains(permission, StringComparer.Ordinal))
            {
                notHeld.Add(permission);
            }
        }

        return notHeld;
    }

    /// <summary>Returns whether the caller may grant <paramref name="permissions"/> (see <see cref="FindPermissionsNotHeld"/>).</summary>
    /// <param name="caller">The authenticated caller.</param>
    /// <param name="permissions">The permissions to grant.</param>
    /// <param name="managePermission">The permission that allows granting at all.</param>
    /// <returns><see langword="true"/> when the caller holds <paramref name="managePermission"/> and every permission granted.</returns>
    public static bool MayGrant(this ClaimsPrincipal caller, IEnumerable<string> permissions, string managePermission) =>
        caller.FindPermissionsNotHeld(permissions, managePermission).Count == 0;

    /// <summary>Throws a 403 <c>PermissionNotHeld</c> problem naming the missing permissions unless the caller may grant <paramref name="permissions"/>.</summary>
    /// <param name="caller">The authenticated caller.</param>
    /// <param name="permissions">The permissions to grant.</param>
    /// <param name="managePermission">The permission that allows granting at all.</param>
    /// <exception cref="PermissionNotHeldException">The caller lacks <paramref name="managePermission"/> or one of <paramref name="permissions"/>.</exception>
    public static void EnsureMayGrant(this ClaimsPrincipal caller, IEnumerable<string> permissions, string managePermission)
    {
        var notHeld = caller.FindPermissionsNotHeld(permissions, managePermission);
        if (notHeld.Count > 0)
        {
            throw new PermissionNotHeldException(notHeld);
        }
    }

    // Only an authenticated identity counts: a principal built from an unvalidated token must grant nothing.
    private static HashSet<string> HeldPermissions(ClaimsPrincipal caller)
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var identity in caller.Identities)
        {
            if (!identity.IsAuthenticated)
            {
                continue;
            }

            foreach (var claim in identity.FindAll(TokenDefaults.PermissionsClaim))
            {
                held.Add(claim.Value);
            }
        }

        return held;
    }
}

using Microservice.Kit.Problems;

namespace Microservice.Kit.Tokens;

/// <summary>
/// The caller tried to grant permissions it does not hold itself: 403, code <c>PermissionNotHeld</c>, with a
/// <c>notHeld</c> member listing them.
/// </summary>
public sealed class PermissionNotHeldException : KitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="notHeld">The permissions the caller would need and does not hold; at least one.</param>
    public PermissionNotHeldException(IReadOnlyList<string> notHeld)
        : base(403, ProblemCodes.PermissionNotHeld, "Permission not held", Describe(notHeld))
    {
        NotHeld = notHeld;
        Extensions["notHeld"] = notHeld;
    }

    /// <summary>The permissions the caller does not hold.</summary>
    public IReadOnlyList<string> NotHeld { get; }

    private static string Describe(IReadOnlyList<string> notHeld)
    {
        ArgumentNullException.ThrowIfNull(notHeld);
        if (notHeld.Count == 0)
        {
            throw new ArgumentException("Name at least one permission.", nameof(notHeld));
        }

        return "A caller may grant only permissions it holds itself; not held: " + string.Join(", ", notHeld) + ".";
    }
}

using System.Security.Claims;
using Microservice.Kit.Problems;
using Microservice.Kit.Tokens;

namespace Microservice.Kit.Tests.Tokens;

public sealed class PermissionGrantsTests
{
    private const string Manage = "users.manage";

    [Fact]
    public void MayGrant_SubsetOfHeldPermissions_IsAllowed()
    {
        var caller = Caller(Manage, "emp.list", "emp.create");

        Assert.True(caller.MayGrant(["emp.list"], Manage));
        Assert.Empty(caller.FindPermissionsNotHeld(["emp.list", "emp.create"], Manage));
        caller.EnsureMayGrant([], Manage);
    }

    [Fact]
    public void FindPermissionsNotHeld_ManageOnlyCallerGrantingEverything_NamesEveryPermissionItLacks()
    {
        var caller = Caller(Manage);

        var notHeld = caller.FindPermissionsNotHeld(["emp.list", Manage, "books.write", "emp.list"], Manage);

        Assert.Equal(["emp.list", "books.write"], notHeld);
    }

    [Fact]
    public void FindPermissionsNotHeld_GrantingManageWithoutHoldingTheRest_IsRefused()
    {
        var caller = Caller(Manage, "emp.list");

        Assert.Equal(["files.write"], caller.FindPermissionsNotHeld([Manage, "emp.list", "files.write"], Manage));
        Assert.Empty(caller.FindPermissionsNotHeld([Manage, "emp.list"], Manage));
    }

    [Fact]
    public void FindPermissionsNotHeld_CallerWithoutManagePermission_NamesItFirst()
    {
        var caller = Caller("emp.list");

        Assert.Equal([Manage], caller.FindPermissionsNotHeld(["emp.list"], Manage));
        Assert.Equal([Manage, "emp.create"], caller.FindPermissionsNotHeld(["emp.create"], Manage));
    }

    [Fact]
    public void FindPermissionsNotHeld_ComparesOrdinally()
    {
        var caller = Caller(Manage, "emp.list");

        Assert.Equal(["EMP.LIST"], caller.FindPermissionsNotHeld(["EMP.LIST"], Manage));
    }

    [Fact]
    public void FindPermissionsNotHeld_UnauthenticatedIdentity_HoldsNothing()
    {
        // Claims on an identity without an authentication type were never validated: they must grant nothing.
        var caller = new ClaimsPrincipal(new ClaimsIdentity([new Claim(TokenDefaults.PermissionsClaim, Manage), new Claim(TokenDefaults.PermissionsClaim, "emp.list")]));

        Assert.Equal([Manage, "emp.list"], caller.FindPermissionsNotHeld(["emp.list"], Manage));
    }

    [Fact]
    public void EnsureMayGrant_PermissionNotHeld_Throws403ProblemNamingThem()
    {
        var caller = Caller(Manage);

        var error = Assert.Throws<PermissionNotHeldException>(() => caller.EnsureMayGrant(["emp.list", "books.read"], Manage));

        Assert.Equal(403, error.StatusCode);
        Assert.Equal(ProblemCodes.PermissionNotHeld, error.Code);
        Assert.Equal(["emp.list", "books.read"], error.NotHeld);
        Assert.Equal(error.NotHeld, error.Extensions["notHeld"]);
        Assert.Contains("emp.list, books.read", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void FindPermissionsNotHeld_InvalidArguments_Throw()
    {
        var caller = Caller(Manage);

        Assert.Throws<ArgumentNullException>(() => PermissionGrants.FindPermissionsNotHeld(null!, [], Manage));
        Assert.Throws<ArgumentNullException>(() => caller.FindPermissionsNotHeld(null!, Manage));
        Assert.Throws<ArgumentException>(() => caller.FindPermissionsNotHeld([], " "));
        Assert.Throws<ArgumentException>(() => caller.FindPermissionsNotHeld([null!], Manage));
    }

    private static ClaimsPrincipal Caller(params string[] permissions) =>
        new(new ClaimsIdentity(permissions.Select(p => new Claim(TokenDefaults.PermissionsClaim, p)), TokenDefaults.AuthenticationScheme));
}

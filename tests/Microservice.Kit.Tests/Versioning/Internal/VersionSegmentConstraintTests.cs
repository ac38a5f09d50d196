using Microservice.Kit.Versioning.Internal;
using Microsoft.AspNetCore.Routing;

namespace Microservice.Kit.Tests.Versioning.Internal;

public sealed class VersionSegmentConstraintTests
{
    private readonly VersionSegmentConstraint _constraint = new(["v1", "v2"]);

    [Theory]
    [InlineData("v1")]
    [InlineData("V2")]
    [InlineData("employees")]
    [InlineData("v")]
    public void MatchesLiteral_ALiteralVersionOrNoVersionAtAll_IsRefused(string literal) =>
        Assert.False(_constraint.MatchesLiteral("apiVersion", literal));

    [Theory]
    [InlineData("v3")]
    [InlineData("v2.0")]
    [InlineData("Vnext")]
    public void MatchesLiteral_AnotherSpellingOrAnUnknownVersion_IsTheCatchAlls(string literal) =>
        Assert.True(_constraint.MatchesLiteral("apiVersion", literal));

    [Theory]
    [InlineData("v2.0", true)]
    [InlineData("V3", true)]
    [InlineData("vfoo", true)]
    [InlineData("v", false)]
    [InlineData("2.0", false)]
    public void Match_TheSegmentsTheOldTemplateMatched(string segment, bool expected) =>
        Assert.Equal(expected, _constraint.Match(null, null, "apiVersion", new RouteValueDictionary { ["apiVersion"] = segment }, RouteDirection.IncomingRequest));

    [Theory]
    [InlineData("v2.0", "2.0")]
    [InlineData("V3", "3")]
    [InlineData("v", null)]
    [InlineData(null, null)]
    public void VersionOf_IsWhatFollowsTheV(string? segment, string? expected) =>
        Assert.Equal(expected, VersionSegmentConstraint.VersionOf(segment));
}

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Microservice.Kit.Versioning.Internal;

/// <summary>
/// The catch-all copy's version segment (<c>v2.0</c>, <c>V2</c>, <c>v3</c>): one simple route parameter holding the
/// whole segment, instead of the complex segment <c>v{apiVersion}</c>. The route matcher asks this policy, when it
/// builds its tree, which literal segments of other routes the parameter could also match; refusing the literal
/// versions (<c>v1</c>, served by their own copies) and anything not starting with <c>v</c> keeps the catch-all out of
/// those paths, so <c>/api/v1/employees/7</c> and <c>/api/employees/7</c> have one candidate instead of two and no
/// complex segment is parsed per request.
/// </summary>
internal sealed class VersionSegmentConstraint(IEnumerable<string> literals) : IRouteConstraint, IParameterLiteralNodeMatchingPolicy
{
    private readonly HashSet<string> _literals = new(literals, StringComparer.OrdinalIgnoreCase);

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && value is string segment && IsVersionSegment(segment);

    public bool MatchesLiteral(string parameterName, string literal) => IsVersionSegment(literal) && !_literals.Contains(literal);

    /// <summary>The version in a segment the constraint matched: what follows the <c>v</c>.</summary>
    public static string? VersionOf(string? segment) => segment is not null && IsVersionSegment(segment) ? segment[1..] : null;

    // The same segments v{apiVersion} matched: a v (route literals compare ignoring case) and at least one character.
    private static bool IsVersionSegment(string segment) => segment.Length > 1 && segment[0] is ('v' or 'V');
}

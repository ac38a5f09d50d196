namespace Microservice.Kit.Tokens;

/// <summary>Names the token feature uses on the wire and in ASP.NET Core.</summary>
public static class TokenDefaults
{
    /// <summary>The authentication scheme that validates the kit's tokens.</summary>
    public const string AuthenticationScheme = "KitBearer";

    /// <summary>The claim that lists a token's permissions (a JSON array of strings).</summary>
    public const string PermissionsClaim = "permissions";

    /// <summary>The prefix of policy names that require a permission: <c>perm:emp.create</c>.</summary>
    public const string PermissionPolicyPrefix = "perm:";

    /// <summary>The <c>typ</c> header of issued tokens and the only one validation accepts (RFC 9068).</summary>
    public const string TokenType = "at+jwt";

    /// <summary>The path of the JWKS document.</summary>
    public const string JwksPath = "/.well-known/jwks.json";

    /// <summary>The rate-limiting policy of token endpoints (<c>RequireSignInThrottling</c>): requests per client address.</summary>
    public const string SignInRateLimiterPolicy = "kit-sign-in";

    /// <summary>The problem <c>code</c> of a 401 for a token that was sent but is not valid.</summary>
    public const string InvalidTokenCode = "InvalidToken";
}

using Microsoft.AspNetCore.Http;

namespace Microservice.Kit.Tokens;

/// <summary>
/// Guards a token endpoint against password guessing, per user name (the client address is limited by the endpoint's
/// rate-limiting policy, see <c>RequireSignInThrottling</c>). A sign-in handler calls <see cref="EnsureAllowed"/> before it
/// verifies the password, then <see cref="RecordFailure"/> or <see cref="RecordSuccess"/>. Registered by <c>AddTokenIssuer</c>;
/// options under <c>MicroserviceKit:Tokens:SignIn</c> (<see cref="SignInThrottleOptions"/>).
/// </summary>
/// <remarks>
/// User names are compared case-insensitively (invariant upper case), so that a store that ignores case cannot be
/// guessed against once per spelling. Logs carry the client address and a hash of the user name, never the password.
/// </remarks>
public interface ISignInThrottle
{
    /// <summary>Checks an attempt before its password is verified.</summary>
    /// <param name="httpContext">The sign-in request.</param>
    /// <param name="userName">The user name sent.</param>
    /// <param name="password">The password sent; only its length is looked at.</param>
    /// <exception cref="Problems.ValidationException">The password is longer than <see cref="SignInThrottleOptions.MaxPasswordBytes"/> (400).</exception>
    /// <exception cref="Problems.TooManyRequestsException">The user name is locked out or over its rate (429, with <c>Retry-After</c>).</exception>
    void EnsureAllowed(HttpContext httpContext, string userName, string password);

    /// <summary>Counts a failed sign-in (wrong password or unknown user name) against the user name, locking it out past the threshold.</summary>
    /// <param name="httpContext">The sign-in request.</param>
    /// <param name="userName">The user name sent.</param>
    void RecordFailure(HttpContext httpContext, string userName);

    /// <summary>Forgets the user name's failures after a successful sign-in.</summary>
    /// <param name="httpContext">The sign-in request.</param>
    /// <param name="userName">The user name that signed in.</param>
    void RecordSuccess(HttpContext httpContext, string userName);
}

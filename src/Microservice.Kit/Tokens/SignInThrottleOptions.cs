using System.ComponentModel.DataAnnotations;

namespace Microservice.Kit.Tokens;

/// <summary>
/// Throttling of a token endpoint's sign-in attempts, bound from <c>MicroserviceKit:Tokens:SignIn</c>: a rate limit per
/// client address and per user name, and a lockout per user name that doubles with each failure past
/// <see cref="FailuresBeforeLockout"/>. Registered by <c>AddTokenIssuer</c>.
/// </summary>
public sealed class SignInThrottleOptions
{
    /// <summary>Sign-in requests one client address may make per <see cref="Window"/> (IPv6 addresses count per /64 network).</summary>
    /// <value>The default is 60.</value>
    [Range(1, 1_000_000, ErrorMessage = "must be between 1 and 1000000")]
    public int PermitsPerAddress { get; set; } = 60;

    /// <summary>Sign-in attempts for one user name per <see cref="Window"/>, from any address; bounds guesses sent in parallel before a lockout takes hold.</summary>
    /// <value>The default is 20.</value>
    [Range(1, 1_000_000, ErrorMessage = "must be between 1 and 1000000")]
    public int PermitsPerUserName { get; set; } = 20;

    /// <summary>The sliding window of <see cref="PermitsPerAddress"/> and <see cref="PermitsPerUserName"/>.</summary>
    /// <value>The default is 1 minute.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "must be between 1 second and 1 day")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Consecutive failed sign-ins for a user name after which it is locked out.</summary>
    /// <value>The default is 5.</value>
    [Range(1, 1000, ErrorMessage = "must be between 1 and 1000")]
    public int FailuresBeforeLockout { get; set; } = 5;

    /// <summary>The first lockout; each further failure after a lockout doubles it, up to <see cref="MaxLockoutDuration"/>.</summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "must be between 1 second and 1 day")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest lockout, however many failures came before.</summary>
    /// <value>The default is 15 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "must be between 1 second and 1 day")]
    public TimeSpan MaxLockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a user name's failures are remembered after the last one (or after its lockout ended); a success forgets them at once.</summary>
    /// <value>The default is 15 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "must be between 1 second and 7 days")]
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest password, in UTF-8 bytes, that is verified; a longer one is a 400 before any hashing.</summary>
    /// <value>The default is 1024 bytes.</value>
    [Range(64, 65536, ErrorMessage = "must be between 64 and 65536 bytes")]
    public int MaxPasswordBytes { get; set; } = 1024;
}

namespace Microservice.Kit.Tokens.Internal;

/// <summary>The lockout arithmetic of <see cref="SignInThrottle"/>, kept pure so that it can be checked case by case.</summary>
internal static class SignInLockout
{
    /// <summary>
    /// The lockout after <paramref name="failures"/> consecutive failures: none below the threshold, then
    /// <see cref="SignInThrottleOptions.LockoutDuration"/> doubled for each failure past it, capped at
    /// <see cref="SignInThrottleOptions.MaxLockoutDuration"/>.
    /// </summary>
    public static TimeSpan Duration(int failures, SignInThrottleOptions options)
    {
        if (failures < options.FailuresBeforeLockout)
        {
            return TimeSpan.Zero;
        }

        var max = options.MaxLockoutDuration;
        var duration = options.LockoutDuration;
        // Doubling stops at the cap, so a million failures neither loop a million times nor overflow.
        for (var i = options.FailuresBeforeLockout; i < failures && duration < max; i++)
        {
            duration += duration;
        }

        return duration < max ? duration : max;
    }

    /// <summary>Whether failures last seen at <paramref name="lastFailure"/>, locked until <paramref name="lockedUntil"/>, are forgotten at <paramref name="now"/>.</summary>
    public static bool IsForgotten(DateTimeOffset lastFailure, DateTimeOffset lockedUntil, DateTimeOffset now, SignInThrottleOptions options) =>
        now - (lockedUntil > lastFailure ? lockedUntil : lastFailure) >= options.FailureWindow;
}

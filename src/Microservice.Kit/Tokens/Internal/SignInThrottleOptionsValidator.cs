using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>Rules that span several sign-in throttling options; messages name the full configuration key.</summary>
internal sealed class SignInThrottleOptionsValidator(string key) : IValidateOptions<SignInThrottleOptions>
{
    public ValidateOptionsResult Validate(string? name, SignInThrottleOptions options) =>
        options.MaxLockoutDuration < options.LockoutDuration
            ? ValidateOptionsResult.Fail($"{key}:MaxLockoutDuration must be at least {key}:LockoutDuration.")
            : ValidateOptionsResult.Success;
}

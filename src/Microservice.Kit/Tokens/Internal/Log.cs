using Microservice.Kit.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>The token feature's log events. Never a token, a secret or key material: only ids and reason categories.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = KitEventIds.Tokens + 1, EventName = "TokenIssued", Level = LogLevel.Debug,
        Message = "Token {TokenId} issued with key {KeyId} (operation={Operation}, status={Status})")]
    public static partial void TokenIssued(ILogger logger, string tokenId, string keyId, string operation = "issue", string status = "ok");

    [LoggerMessage(EventId = KitEventIds.Tokens + 2, EventName = "TokenRejected", Level = LogLevel.Information,
        Message = "Token rejected (operation={Operation}, status={Status}, reason={Reason})")]
    public static partial void TokenRejected(ILogger logger, TokenFailureReason reason, string operation = "validate", string status = "rejected");

    [LoggerMessage(EventId = KitEventIds.Tokens + 3, EventName = "KeyGenerated", Level = LogLevel.Information,
        Message = "Signing key {KeyId} ({Algorithm}) generated (operation={Operation})")]
    public static partial void KeyGenerated(ILogger logger, string keyId, string algorithm, string operation = "generate-key");

    [LoggerMessage(EventId = KitEventIds.Tokens + 4, EventName = "EphemeralKey", Level = LogLevel.Warning,
        Message = "No MicroserviceKit:Tokens:KeyDirectory, PrivateKeyPem or key store: signing key {KeyId} lives in memory, and tokens will not survive a restart")]
    public static partial void EphemeralKey(ILogger logger, string keyId);

    [LoggerMessage(EventId = KitEventIds.Tokens + 5, EventName = "KeyRetired", Level = LogLevel.Information,
        Message = "Signing key {KeyId} retired: it validates until {LeavesAt:O}, when its last token has expired (operation={Operation})")]
    public static partial void KeyRetired(ILogger logger, string keyId, DateTimeOffset leavesAt, string operation = "retire-key");

    [LoggerMessage(EventId = KitEventIds.Tokens + 6, EventName = "JwksFetched", Level = LogLevel.Information,
        Message = "JWKS fetched with {KeyCount} usable keys (operation={Operation}, status={Status})")]
    public static partial void JwksFetched(ILogger logger, int keyCount, string operation = "fetch-jwks", string status = "ok");

    [LoggerMessage(EventId = KitEventIds.Tokens + 7, EventName = "JwksFetchFailed", Level = LogLevel.Warning,
        Message = "JWKS fetch failed; keeping the last good key set (operation={Operation}, status={Status}, reason={Reason})")]
    public static partial void JwksFetchFailed(ILogger logger, string reason, Exception? exception, string operation = "fetch-jwks", string status = "failed");

    [LoggerMessage(EventId = KitEventIds.Tokens + 8, EventName = "JwksRefreshRateLimited", Level = LogLevel.Debug,
        Message = "Unknown kid: JWKS refresh skipped by the rate limit (operation={Operation}, status={Status})")]
    public static partial void JwksRefreshRateLimited(ILogger logger, string operation = "fetch-jwks", string status = "rate-limited");

    [LoggerMessage(EventId = KitEventIds.Tokens + 9, EventName = "KeyFilePermissionsTightened", Level = LogLevel.Warning,
        Message = "Key file permissions were wider than owner-only and have been tightened (operation={Operation})")]
    public static partial void KeyFilePermissionsTightened(ILogger logger, string operation = "load-keys");

    // Sign-in events carry the client address and a hash of the user name: enough to correlate an attack, and no
    // password, no clear user name (which is often an e-mail address) in the log.
    [LoggerMessage(EventId = KitEventIds.Tokens + 20, EventName = "SignInFailed", Level = LogLevel.Warning,
        Message = "Sign-in failed for user name hash {UserNameHash} from {ClientAddress}, failure {Failures} in a row (operation={Operation}, status={Status})")]
    public static partial void SignInFailed(ILogger logger, string userNameHash, string clientAddress, int failures, string operation = "sign-in", string status = "failed");

    [LoggerMessage(EventId = KitEventIds.Tokens + 21, EventName = "SignInLockedOut", Level = LogLevel.Warning,
        Message = "User name hash {UserNameHash} locked out for {LockoutSeconds} s after {Failures} failures, the last from {ClientAddress} (operation={Operation}, status={Status})")]
    public static partial void SignInLockedOut(ILogger logger, string userNameHash, long lockoutSeconds, int failures, string clientAddress, string operation = "sign-in", string status = "locked-out");

    [LoggerMessage(EventId = KitEventIds.Tokens + 22, EventName = "SignInThrottled", Level = LogLevel.Information,
        Message = "Sign-in refused from {ClientAddress} for user name hash {UserNameHash}, retry after {RetryAfterSeconds} s (operation={Operation}, status={Status}, reason={Reason})")]
    public static partial void SignInThrottled(ILogger logger, string clientAddress, string userNameHash, long retryAfterSeconds, string reason, string operation = "sign-in", string status = "throttled");

    [LoggerMessage(EventId = KitEventIds.Tokens + 23, EventName = "SignInAddressThrottled", Level = LogLevel.Information,
        Message = "Sign-in request refused from {ClientAddress}, retry after {RetryAfterSeconds} s (operation={Operation}, status={Status}, reason={Reason})")]
    public static partial void SignInAddressThrottled(ILogger logger, string clientAddress, long retryAfterSeconds, string operation = "sign-in", string status = "throttled", string reason = "address-rate");

    // Key ring lifecycle across replicas: 2030-2039.
    [LoggerMessage(EventId = KitEventIds.Tokens + 30, EventName = "KeyActivationScheduled", Level = LogLevel.Information,
        Message = "Signing key {KeyId} is published now and signs from {ActivatesAt:O} (operation={Operation})")]
    public static partial void KeyActivationScheduled(ILogger logger, string keyId, DateTimeOffset activatesAt, string operation = "rotate-key");

    [LoggerMessage(EventId = KitEventIds.Tokens + 31, EventName = "KeyRevoked", Level = LogLevel.Warning,
        Message = "Signing key {KeyId} revoked: tokens it signed are rejected from now on (operation={Operation})")]
    public static partial void KeyRevoked(ILogger logger, string keyId, string operation = "revoke-key");

    [LoggerMessage(EventId = KitEventIds.Tokens + 32, EventName = "KeyRingReloaded", Level = LogLevel.Debug,
        Message = "Key ring reloaded with {KeyCount} keys (operation={Operation}, status={Status})")]
    public static partial void KeyRingReloaded(ILogger logger, int keyCount, string operation = "reload-keys", string status = "ok");

    [LoggerMessage(EventId = KitEventIds.Tokens + 33, EventName = "KeyRingReloadFailed", Level = LogLevel.Warning,
        Message = "Key ring reload failed; keeping the keys already loaded (operation={Operation}, status={Status}, reason={Reason})")]
    public static partial void KeyRingReloadFailed(ILogger logger, string reason, Exception? exception, string operation = "reload-keys", string status = "failed");

    [LoggerMessage(EventId = KitEventIds.Tokens + 34, EventName = "KeysRemoved", Level = LogLevel.Information,
        Message = "{KeyCount} keys that left the ring more than a day ago were deleted from the key store (operation={Operation})")]
    public static partial void KeysRemoved(ILogger logger, int keyCount, string operation = "remove-keys");
}

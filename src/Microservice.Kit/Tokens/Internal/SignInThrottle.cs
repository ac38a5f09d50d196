using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microservice.Kit.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// Per user name: a sliding-window rate limit on attempts and an exponential lockout after consecutive failures, on
/// the injected <see cref="TimeProvider"/>. State is keyed by a hash of the upper-cased user name and kept in memory,
/// so each replica counts on its own.
/// </summary>
internal sealed class SignInThrottle : ISignInThrottle, IDisposable
{
    // Past this many user names with failures, entries whose failures are forgotten are swept before another is added,
    // so that a flood of random user names cannot grow the table without bound.
    internal const int SweepThreshold = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly SignInThrottleOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SignInThrottle> _logger;
    private readonly PartitionedRateLimiter<string> _perUserName;
    private long _lastSweepTicks;

    public SignInThrottle(IOptions<SignInThrottleOptions> options, TimeProvider time, ILogger<SignInThrottle> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        var limit = new SlidingWindowRateLimiterOptions
        {
            PermitLimit = _options.PermitsPerUserName,
            Window = _options.Window,
            SegmentsPerWindow = 4,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _perUserName = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => limit));
    }

    internal int TrackedUserNames => _entries.Count;

    public void EnsureAllowed(HttpContext httpContext, string userName, string password)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);

        // Before any hashing: PBKDF2 over a megabyte-long password is CPU an attacker gets for free.
        // A UTF-8 encoding is never shorter than its UTF-16 length, so a long string is refused without counting it.
        if (password.Length > _options.MaxPasswordBytes || Encoding.UTF8.GetByteCount(password) > _options.MaxPasswordBytes)
        {
            throw new ValidationException("password", $"must be at most {_options.MaxPasswordBytes} bytes");
        }

        var key = HashUserName(userName);
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(key, out var entry))
        {
            DateTimeOffset lockedUntil;
            lock (entry)
            {
                lockedUntil = entry.LockedUntil;
            }

            if (lockedUntil > now)
            {
                throw Refuse(httpContext, key, lockedUntil - now, "locked-out", "This user name is locked out after repeated failed sign-ins.");
            }
        }

        using var lease = _perUserName.AttemptAcquire(key);
        if (!lease.IsAcquired)
        {
            var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : _options.Window;
            throw Refuse(httpContext, key, wait, "user-name-rate", "Too many sign-in attempts for this user name.");
        }
    }

    public void RecordFailure(HttpContext httpContext, string userName)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(userName);
        var key = HashUserName(userName);
        var now = _time.GetUtcNow();
        if (_entries.Count >= SweepThreshold && !_entries.ContainsKey(key))
        {
            Sweep(now);
        }

        var entry = _entries.GetOrAdd(key, static _ => new Entry());
        int failures;
        TimeSpan lockout;
        lock (entry)
        {
            if (entry.Failures > 0 && SignInLockout.IsForgotten(entry.LastFailure, entry.LockedUntil, now, _options))
            {
                entry.Failures = 0;
            }

            failures = ++entry.Failures;
            entry.LastFailure = now;
            lockout = SignInLockout.Duration(failures, _options);
            if (lockout > TimeSpan.Zero && now + lockout > entry.LockedUntil)
            {
                entry.LockedUntil = now + lockout;
            }
        }

        var client = ClientAddress.Of(httpContext);
        Log.SignInFailed(_logger, key, client, failures);
        if (lockout > TimeSpan.Zero)
        {
            Log.SignInLockedOut(_logger, key, TooManyRequestsException.RetryAfterSeconds(lockout), failures, client);
        }
    }

    public void RecordSuccess(HttpContext httpContext, string userName)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(userName);
        _entries.TryRemove(HashUserName(userName), out _);
    }

    public void Dispose() => _perUserName.Dispose();

    /// <summary>
    /// The first 128 bits of SHA-256 over the user name in invariant upper case, as lower-case hex: the key of its state
    /// and what logs show instead of the name.
    /// </summary>
    internal static string HashUserName(string userName)
    {
        var upper = userName.ToUpperInvariant();
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(upper), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    private TooManyRequestsException Refuse(HttpContext httpContext, string key, TimeSpan wait, string reason, string detail)
    {
        var seconds = TooManyRequestsException.RetryAfterSeconds(wait);
        var client = ClientAddress.Of(httpContext);
        Log.SignInThrottled(_logger, client, key, seconds, reason);
        return new TooManyRequestsException(
            string.Create(CultureInfo.InvariantCulture, $"{detail} Retry after {seconds} s."), TimeSpan.FromSeconds(seconds));
    }

    private void Sweep(DateTimeOffset now)
    {
        // At most once a second: under a flood of fresh user names every sweep would find little to remove.
        var last = Interlocked.Read(ref _lastSweepTicks);
        if (now.UtcTicks - last < TimeSpan.TicksPerSecond || Interlocked.CompareExchange(ref _lastSweepTicks, now.UtcTicks, last) != last)
        {
            return;
        }

        foreach (var (key, entry) in _entries)
        {
            bool forgotten;
            lock (entry)
            {
                forgotten = SignInLockout.IsForgotten(entry.LastFailure, entry.LockedUntil, now, _options);
            }

            if (forgotten)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }
    }

    private sealed class Entry
    {
        public int Failures;
        public DateTimeOffset LastFailure;
        public DateTimeOffset LockedUntil;
    }
}

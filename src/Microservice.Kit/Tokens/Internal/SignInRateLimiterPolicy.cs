using System.Globalization;
using System.Threading.RateLimiting;
using Microservice.Kit.Problems;
using Microservice.Kit.Problems.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// The <see cref="TokenDefaults.SignInRateLimiterPolicy"/> policy: a sliding window per client address (IPv6 per /64),
/// answering 429 with <c>Retry-After</c> and a <c>TooManyRequests</c> problem. It runs before the endpoint, so a flood
/// is refused before any body is read or password hashed.
/// </summary>
internal sealed class SignInRateLimiterPolicy : IRateLimiterPolicy<string>
{
    private readonly SignInThrottleOptions _options;
    private readonly IProblemDetailsService _problems;
    private readonly ILogger<SignInRateLimiterPolicy> _logger;
    private readonly SlidingWindowRateLimiterOptions _limit;

    public SignInRateLimiterPolicy(IOptions<SignInThrottleOptions> options, IProblemDetailsService problems, ILogger<SignInRateLimiterPolicy> logger)
    {
        _options = options.Value;
        _problems = problems;
        _logger = logger;
        _limit = new SlidingWindowRateLimiterOptions
        {
            PermitLimit = _options.PermitsPerAddress,
            Window = _options.Window,
            SegmentsPerWindow = 4,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        OnRejected = RejectAsync;
    }

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; }

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        RateLimitPartition.GetSlidingWindowLimiter(ClientAddress.PartitionOf(httpContext.Connection.RemoteIpAddress), _ => _limit);

    private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : _options.Window;
        var seconds = TooManyRequestsException.RetryAfterSeconds(wait);
        var httpContext = context.HttpContext;
        var client = ClientAddress.Of(httpContext);
        Log.SignInAddressThrottled(_logger, client, seconds);
        httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var problem = ProblemFactory.Create(429, ProblemCodes.TooManyRequests, "Too many requests",
            string.Create(CultureInfo.InvariantCulture, $"Too many sign-in requests from this address. Retry after {seconds} s."));
        problem.Extensions["retryAfter"] = seconds;
        await ProblemWriter.WriteAsync(httpContext, _problems, problem).ConfigureAwait(false);
    }
}

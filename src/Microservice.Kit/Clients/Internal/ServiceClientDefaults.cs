namespace Microservice.Kit.Clients.Internal;

/// <summary>The documented defaults of <see cref="ServiceClientOptions"/>, in one place for the options and their tests.</summary>
internal static class ServiceClientDefaults
{
    // Polly's standard pipeline uses the same 10 s / 30 s pair: long enough for a loaded service, short
    // enough that a caller's own request (usually 30-100 s at the edge) is not held hostage.
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan TotalTimeout = TimeSpan.FromSeconds(30);

    // 200 ms base instead of Polly's 2 s: calls inside a fleet are fast, so three retries (~0.2, 0.4, 0.8 s)
    // fit comfortably in the total timeout.
    public const int MaxRetryAttempts = 3;
    public static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);
    public const long MaxBufferedRequestBytes = 32L * 1024 * 1024;

    // A service-to-service JSON answer is a record or a page of records: kilobytes. 1 MiB leaves room for a page of
    // 100 large records, and a dependency that sends 20 MB costs this service 1 MiB at most, not 20 MB per call.
    public const long MaxResponseBufferBytes = 1024 * 1024;

    // Polly's standard 10 % of 100 opens on a service that retries would carry through (30 % failing attempts
    // with 3 retries still succeed 99 % of the time); half of 20 attempts means the service is really down.
    public const double FailureRatio = 0.5;
    public const int MinimumThroughput = 20;
    public static readonly TimeSpan SamplingDuration = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(5);

    public const string CorrelationHeader = "X-Correlation-ID";
    public const string OutgoingTokenHeader = "Authorization";
    public const string IdempotencyKeyHeader = "Idempotency-Key";
}

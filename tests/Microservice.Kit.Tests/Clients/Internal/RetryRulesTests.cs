using System.Net;
using Microservice.Kit.Clients.Internal;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace Microservice.Kit.Tests.Clients.Internal;

public sealed class RetryRulesTests
{
    [Theory]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(3, 800)]
    [InlineData(5, 3200)]
    [InlineData(6, 5000)]
    [InlineData(40, 5000)]
    public void Backoff_WithoutJitter_DoublesFromTheBaseDelay_UpToTheMaximum(int retry, int expectedMs)
    {
        var delay = RetryRules.Backoff(retry, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), jitter: false);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), delay);
    }

    [Fact]
    public void Backoff_WithJitter_StaysWithin75To125PercentAndSpreads()
    {
        var delays = Enumerable.Range(0, 2000)
            .Select(_ => RetryRules.Backoff(3, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), jitter: true).TotalMilliseconds)
            .ToList();

        Assert.All(delays, d => Assert.InRange(d, 600, 1000));
        Assert.True(delays.Min() < 650 && delays.Max() > 950, $"jitter did not spread the delays: {delays.Min()}..{delays.Max()} ms");
    }

    [Fact]
    public void Backoff_WithJitter_NeverExceedsTheMaximum()
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(RetryRules.Backoff(10, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), jitter: true) <= TimeSpan.FromSeconds(5));
        }
    }

    [Theory]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(200, false)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    public void IsTransient_Statuses(int status, bool expected)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);

        Assert.Equal(expected, RetryRules.IsTransient(response, null));
    }

    [Fact]
    public void IsTransient_ConnectionFailuresAndAttemptTimeouts_AreTransient_CancellationAndOpenCircuitsAreNot()
    {
        Assert.True(RetryRules.IsTransient(null, new HttpRequestException("refused")));
        Assert.True(RetryRules.IsTransient(null, new TimeoutException()));
        Assert.False(RetryRules.IsTransient(null, new OperationCanceledException()));
        Assert.False(RetryRules.IsTransient(null, new BrokenCircuitException()));
        Assert.False(RetryRules.IsTransient(null, new InvalidOperationException()));
    }

    [Fact]
    public void RetryAfter_ReadsSecondsAndDates_OnlyOn429And503()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        using var seconds = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        seconds.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(2));
        using var date = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        date.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(time.GetUtcNow().AddSeconds(30));
        using var past = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        past.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(time.GetUtcNow().AddSeconds(-30));
        using var other = new HttpResponseMessage(HttpStatusCode.InternalServerError);
        other.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(2), RetryRules.RetryAfter(seconds, time));
        Assert.Equal(TimeSpan.FromSeconds(30), RetryRules.RetryAfter(date, time));
        Assert.Null(RetryRules.RetryAfter(past, time));
        Assert.Null(RetryRules.RetryAfter(other, time));
    }
}

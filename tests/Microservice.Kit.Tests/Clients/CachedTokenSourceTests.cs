using Microservice.Kit.Clients;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Microservice.Kit.Tests.Clients;

public sealed class CachedTokenSourceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Token_IsReusedUntilShortlyBeforeExpiry_ThenRefreshed()
    {
        var issued = 0;
        var source = new CachedTokenSource(_ =>
        {
            var n = Interlocked.Increment(ref issued);
            return ValueTask.FromResult(new ServiceToken("token-" + n, _time.GetUtcNow().AddMinutes(10)));
        }, _time, TimeSpan.FromSeconds(30));

        Assert.Equal("token-1", await source.GetTokenAsync(default));
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal("token-1", await source.GetTokenAsync(default));
        _time.Advance(TimeSpan.FromSeconds(31)); // 29 s before expiry: inside the refresh margin
        Assert.Equal("token-2", await source.GetTokenAsync(default));
        Assert.Equal(2, issued);
    }

    [Fact]
    public async Task ShortLivedToken_IsRefreshedAtHalfItsLifetime()
    {
        var issued = 0;
        var source = new CachedTokenSource(_ =>
        {
            var n = Interlocked.Increment(ref issued);
            return ValueTask.FromResult(new ServiceToken("token-" + n, _time.GetUtcNow().AddSeconds(20)));
        }, _time, TimeSpan.FromSeconds(30));

        Assert.Equal("token-1", await source.GetTokenAsync(default));
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal("token-1", await source.GetTokenAsync(default));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("token-2", await source.GetTokenAsync(default));
    }

    [Fact]
    public async Task ConcurrentCallers_ShareOneAcquisition()
    {
        var issued = 0;
        var release = new TaskCompletionSource();
        var source = new CachedTokenSource(async _ =>
        {
            Interlocked.Increment(ref issued);
            await release.Task;
            return new ServiceToken("shared", _time.GetUtcNow().AddHours(1));
        }, _time);

        var callers = Enumerable.Range(0, 8).Select(_ => source.GetTokenAsync(default).AsTask()).ToArray();
        release.SetResult();
        var tokens = await Task.WhenAll(callers);

        Assert.All(tokens, t => Assert.Equal("shared", t));
        Assert.Equal(1, issued);
    }

    [Fact]
    public async Task FailedAcquisition_IsTriedAgainByTheNextCall()
    {
        var attempts = 0;
        var source = new CachedTokenSource(_ =>
            Interlocked.Increment(ref attempts) == 1
                ? ValueTask.FromException<ServiceToken>(new InvalidOperationException("issuer down"))
                : ValueTask.FromResult(new ServiceToken("second", _time.GetUtcNow().AddHours(1))), _time);

        await Assert.ThrowsAsync<InvalidOperationException>(() => source.GetTokenAsync(default).AsTask());
        Assert.Equal("second", await source.GetTokenAsync(default));
    }

    [Fact]
    public void ServiceToken_ToString_DoesNotRevealTheToken()
    {
        var token = new ServiceToken("secret-value", _time.GetUtcNow());

        Assert.DoesNotContain("secret-value", token.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bearer abc", null, "abc")]
    [InlineData("bearer abc", null, "abc")]
    [InlineData(null, "abc", "abc")]
    [InlineData(null, "Bearer abc", "abc")]
    [InlineData("Basic dXNlcjpwdw==", null, null)]
    [InlineData(null, null, null)]
    public async Task IncomingRequestTokenSource_ReadsBearerThenTheFallbackHeader(string? authorization, string? xAuth, string? expected)
    {
        var context = new DefaultHttpContext();
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        if (xAuth is not null)
        {
            context.Request.Headers["X-Auth-Header"] = xAuth;
        }

        var source = new IncomingRequestTokenSource(new HttpContextAccessor { HttpContext = context }, "X-Auth-Header");

        Assert.Equal(expected, await source.GetTokenAsync(default));
    }

    [Fact]
    public async Task IncomingRequestTokenSource_NoFallbackHeaderGiven_IgnoresXAuthHeader()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["X-Auth-Header"] = "abc";

        var source = new IncomingRequestTokenSource(new HttpContextAccessor { HttpContext = context });

        // By default only the standard header counts, like TokenOptions.TokenHeader's default.
        Assert.Null(await source.GetTokenAsync(default));
    }

    [Fact]
    public async Task IncomingRequestTokenSource_OutsideARequest_ReturnsNoToken()
    {
        var source = new IncomingRequestTokenSource(new HttpContextAccessor());

        Assert.Null(await source.GetTokenAsync(default));
    }
}

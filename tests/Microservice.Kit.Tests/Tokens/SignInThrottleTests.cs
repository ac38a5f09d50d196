using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microservice.Kit.Problems;
using Microservice.Kit.Tests.Infrastructure;
using Microservice.Kit.Tokens;
using Microservice.Kit.Tokens.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Microservice.Kit.Tests.Tokens;

public sealed class SignInThrottleTests
{
    private static readonly SignInThrottleOptions Defaults = new();

    [Theory]
    [InlineData(0, 0)]
    [InlineData(4, 0)]
    [InlineData(5, 30)]      // the threshold: the first lockout
    [InlineData(6, 60)]      // each further failure doubles it
    [InlineData(7, 120)]
    [InlineData(9, 480)]
    [InlineData(10, 900)]    // 960 s capped at 15 minutes
    [InlineData(1000, 900)]
    [InlineData(int.MaxValue, 900)]
    public void LockoutDuration_DoublesPastTheThreshold_UpToTheCap(int failures, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), SignInLockout.Duration(failures, Defaults));
    }

    [Fact]
    public void LockoutDuration_CapBelowTheFirstLockoutStep_IsTheCap()
    {
        var options = new SignInThrottleOptions { FailuresBeforeLockout = 1, LockoutDuration = TimeSpan.FromSeconds(40), MaxLockoutDuration = TimeSpan.FromSeconds(50) };

        Assert.Equal(TimeSpan.FromSeconds(40), SignInLockout.Duration(1, options));
        Assert.Equal(TimeSpan.FromSeconds(50), SignInLockout.Duration(2, options));
    }

    [Fact]
    public void IsForgotten_CountsTheWindowFromTheLaterOfLastFailureAndLockoutEnd()
    {
        var t = new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
        var window = Defaults.FailureWindow;

        Assert.False(SignInLockout.IsForgotten(t, default, t + window - TimeSpan.FromTicks(1), Defaults));
        Assert.True(SignInLockout.IsForgotten(t, default, t + window, Defaults));
        Assert.False(SignInLockout.IsForgotten(t, t + TimeSpan.FromMinutes(10), t + window, Defaults));
        Assert.True(SignInLockout.IsForgotten(t, t + TimeSpan.FromMinutes(10), t + TimeSpan.FromMinutes(10) + window, Defaults));
    }

    [Fact]
    public void EnsureAllowed_AfterThresholdFailures_Throws429UntilTheLockoutPasses()
    {
        using var throttle = new Throttle();
        for (var i = 0; i < 5; i++)
        {
            throttle.Service.EnsureAllowed(throttle.Request, "alice", "guess");
            throttle.Service.RecordFailure(throttle.Request, "alice");
        }

        var locked = Assert.Throws<TooManyRequestsException>(() => throttle.Service.EnsureAllowed(throttle.Request, "alice", "the-right-one"));
        Assert.Equal(429, locked.StatusCode);
        Assert.Equal(ProblemCodes.TooManyRequests, locked.Code);
        Assert.Equal(TimeSpan.FromSeconds(30), locked.RetryAfter);

        throttle.Time.Advance(TimeSpan.FromSeconds(29));
        var stillLocked = Assert.Throws<TooManyRequestsException>(() => throttle.Service.EnsureAllowed(throttle.Request, "alice", "the-right-one"));
        Assert.Equal(TimeSpan.FromSeconds(1), stillLocked.RetryAfter);

        throttle.Time.Advance(TimeSpan.FromSeconds(1));
        throttle.Service.EnsureAllowed(throttle.Request, "alice", "the-right-one");
    }

    [Fact]
    public void RecordFailure_AfterALockout_DoublesTheNextOne()
    {
        using var throttle = new Throttle();
        Fail(throttle, "alice", 5);
        throttle.Time.Advance(TimeSpan.FromSeconds(30));

        Fail(throttle, "alice", 1);

        var locked = Assert.Throws<TooManyRequestsException>(() => throttle.Service.EnsureAllowed(throttle.Request, "alice", "x"));
        Assert.Equal(TimeSpan.FromSeconds(60), locked.RetryAfter);
    }

    [Fact]
    public void Lockout_IsPerUserName_IgnoringCase()
    {
        using var throttle = new Throttle();
        Fail(throttle, "Alice", 5);

        Assert.Throws<TooManyRequestsException>(() => throttle.Service.EnsureAllowed(throttle.Request, "ALICE", "x"));
        Assert.Throws<TooManyRequestsException>(() => throttle.Service.EnsureAllowed(throttle.Request, "alice", "x"));
        throttle.Service.EnsureAllowed(throttle.Request, "bob", "x");
    }

    [Fact]
    public void RecordSuccess_ForgetsTheFailures()
    {
        using var throttle = new Throttle();
        Fail(throttle, "alice", 4);
        throttle.Service.RecordSuccess(throttle.Request, "alice");

        Fail(throttle, "alice", 4);

        throttle.Service.EnsureAllowed(throttle.Request, "alice", "x");
    }

    [Fact]
    public void RecordFailure_AfterTheFailureWindow_StartsCountingAgain()
    {
        using var throttle = new Throttle();
        Fail(throttle, "alice", 4);
        throttle.Time.Advance(Defaults.FailureWindow);

        Fail(throttle, "alice", 4);

        throttle.Service.EnsureAllowed(throttle.Request, "alice", "x");
        Fail(throttle, "alice", 1);
        Assert.Throws<TooManyRequestsException>(() => throttle.Service.EnsureAllowed(throttle.Request, "alice", "x"));
    }

    [Fact]
    public void EnsureAllowed_OverThePerUserNameRate_Throws429_OtherUserNamesStillPass()
    {
        using var throttle = new Throttle(options => options.PermitsPerUserName = 3);
        for (var i = 0; i < 3; i++)
        {
            throttle.Service.EnsureAllowed(throttle.Request, "alice", "x");
        }

        var limited = Assert.Throws<TooManyRequestsException>(() => throttle.Service.EnsureAllowed(throttle.Request, "Alice", "x"));
        Assert.NotNull(limited.RetryAfter);
        Assert.True(limited.RetryAfter >= TimeSpan.FromSeconds(1));
        throttle.Service.EnsureAllowed(throttle.Request, "bob", "x");
    }

    [Theory]
    [InlineData(1024, 'a', false)]
    [InlineData(1025, 'a', true)]
    [InlineData(512, 'é', false)]   // 1024 bytes in UTF-8
    [InlineData(513, 'é', true)]    // 513 characters, 1026 bytes: the limit is in bytes
    public void EnsureAllowed_PasswordOverMaxBytes_Is400(int length, char c, bool rejected)
    {
        using var throttle = new Throttle();
        var password = new string(c, length);

        var error = Record.Exception(() => throttle.Service.EnsureAllowed(throttle.Request, "alice", password));

        if (rejected)
        {
            var validation = Assert.IsType<ValidationException>(error);
            Assert.Equal(400, validation.StatusCode);
            Assert.Contains("password", validation.Errors.Keys);
        }
        else
        {
            Assert.Null(error);
        }
    }

    [Fact]
    public void RecordFailure_LogsClientAddressAndUserNameHash_NeverTheUserNameOrPassword()
    {
        using var throttle = new Throttle();
        throttle.Request.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        Fail(throttle, "alice@example.org", 5);
        Assert.Throws<TooManyRequestsException>(() => throttle.Service.EnsureAllowed(throttle.Request, "alice@example.org", "Sup3r-Secret"));

        var records = throttle.Logs.GetSnapshot();
        var failed = records.Where(r => r.Id.Name == "SignInFailed").ToList();
        Assert.Equal(5, failed.Count);
        var hash = SignInThrottle.HashUserName("alice@example.org");
        Assert.All(failed, r => Assert.Contains("203.0.113.7", r.Message, StringComparison.Ordinal));
        Assert.All(failed, r => Assert.Contains(hash, r.Message, StringComparison.Ordinal));
        Assert.Contains(records, r => r.Id.Name == "SignInLockedOut" && r.Level == LogLevel.Warning);
        Assert.Contains(records, r => r.Id.Name == "SignInThrottled" && r.Message.Contains("locked-out", StringComparison.Ordinal));
        Assert.All(records, r => Assert.DoesNotContain("alice", r.Message, StringComparison.OrdinalIgnoreCase));
        Assert.All(records, r => Assert.DoesNotContain("Sup3r-Secret", r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void HashUserName_IsCaseInsensitive_AndNotTheName()
    {
        Assert.Equal(SignInThrottle.HashUserName("Alice"), SignInThrottle.HashUserName("aLICE"));
        Assert.NotEqual(SignInThrottle.HashUserName("alice"), SignInThrottle.HashUserName("bob"));
        Assert.Matches("^[0-9a-f]{32}$", SignInThrottle.HashUserName("alice"));
    }

    [Fact]
    public void RecordFailure_PastTheSweepThreshold_DropsForgottenUserNames()
    {
        using var throttle = new Throttle();
        for (var i = 0; i < SignInThrottle.SweepThreshold; i++)
        {
            throttle.Service.RecordFailure(throttle.Request, "user" + i);
        }

        throttle.Time.Advance(Defaults.FailureWindow);
        throttle.Service.RecordFailure(throttle.Request, "one-more");

        Assert.Equal(1, ((SignInThrottle)throttle.Service).TrackedUserNames);
    }

    [Theory]
    [InlineData("198.51.100.4", "198.51.100.4")]
    [InlineData("::ffff:198.51.100.4", "198.51.100.4")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    [InlineData(null, "unknown")]
    public void ClientAddressPartition_IPv4ByAddress_IPv6ByNetwork(string? address, string expected)
    {
        Assert.Equal(expected, ClientAddress.PartitionOf(address is null ? null : IPAddress.Parse(address)));
    }

    [Fact]
    public async Task TokenEndpoint_OverThePerAddressRate_Answers429ProblemWithRetryAfter_OtherAddressesPass()
    {
        await using var host = await StartHostAsync(options => options.PermitsPerAddress = 2);

        for (var i = 0; i < 2; i++)
        {
            using var allowed = await SignInAsync(host, "198.51.100.1");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var refused = await SignInAsync(host, "198.51.100.1");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal(ProblemCodes.TooManyRequests, problem["code"]!.GetValue<string>());
        Assert.Equal(429, problem["status"]!.GetValue<int>());
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal((long)retryAfter.Value.TotalSeconds, problem["retryAfter"]!.GetValue<long>());

        using var otherAddress = await SignInAsync(host, "198.51.100.2");
        Assert.Equal(HttpStatusCode.OK, otherAddress.StatusCode);
        using var sameNetwork = await SignInAsync(host, "2001:db8::1");
        Assert.Equal(HttpStatusCode.OK, sameNetwork.StatusCode);
        using var sameNetworkAgain = await SignInAsync(host, "2001:db8::2");
        Assert.Equal(HttpStatusCode.OK, sameNetworkAgain.StatusCode);
        using var sameNetworkRefused = await SignInAsync(host, "2001:db8::3");
        Assert.Equal(HttpStatusCode.TooManyRequests, sameNetworkRefused.StatusCode);
    }

    [Fact]
    public async Task TokenEndpoint_LockedOutUserName_Answers429ProblemWithRetryAfterHeader()
    {
        await using var host = await StartHostAsync(options => options.FailuresBeforeLockout = 2);
        using (var first = await SignInAsync(host, "198.51.100.1", password: "wrong"))
        using (var second = await SignInAsync(host, "198.51.100.1", password: "wrong"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        }

        using var locked = await SignInAsync(host, "198.51.100.9");
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        // The host runs on the system clock: the wait left is the 30 s lockout less however long the requests took.
        var retryAfter = locked.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        var problem = JsonNode.Parse(await locked.Content.ReadAsStringAsync())!;
        Assert.Equal(ProblemCodes.TooManyRequests, problem["code"]!.GetValue<string>());
        Assert.Equal((long)retryAfter.Value.TotalSeconds, problem["retryAfter"]!.GetValue<long>());
    }

    [Fact]
    public void Options_Defaults_AreTheDocumentedOnes()
    {
        var options = new SignInThrottleOptions();

        Assert.Equal(60, options.PermitsPerAddress);
        Assert.Equal(20, options.PermitsPerUserName);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Window);
        Assert.Equal(5, options.FailuresBeforeLockout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.LockoutDuration);
        Assert.Equal(TimeSpan.FromMinutes(15), options.MaxLockoutDuration);
        Assert.Equal(TimeSpan.FromMinutes(15), options.FailureWindow);
        Assert.Equal(1024, options.MaxPasswordBytes);
    }

    [Theory]
    [InlineData("PermitsPerAddress", "0", "MicroserviceKit:Tokens:SignIn:PermitsPerAddress")]
    [InlineData("FailuresBeforeLockout", "0", "MicroserviceKit:Tokens:SignIn:FailuresBeforeLockout")]
    [InlineData("MaxPasswordBytes", "10", "MicroserviceKit:Tokens:SignIn:MaxPasswordBytes")]
    [InlineData("MaxLockoutDuration", "00:00:10", "MicroserviceKit:Tokens:SignIn:MaxLockoutDuration must be at least MicroserviceKit:Tokens:SignIn:LockoutDuration")]
    public async Task Start_InvalidSignInOption_FailsWithAMessageNamingTheKey(string key, string value, string expected)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MicroserviceKit:ServiceName"] = "employees",
            ["MicroserviceKit:Tokens:SignIn:" + key] = value,
        });
        builder.AddMicroserviceKit().AddTokenValidation().AddTokenIssuer();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(error.Failures, failure => failure.Contains(expected, StringComparison.Ordinal));
    }

    private static void Fail(Throttle throttle, string userName, int times)
    {
        for (var i = 0; i < times; i++)
        {
            throttle.Service.RecordFailure(throttle.Request, userName);
        }
    }

    private static Task<KestrelTestHost> StartHostAsync(Action<SignInThrottleOptions> configure) =>
        KestrelTestHost.StartAsync(
            builder =>
            {
                builder.Services.Configure(configure);
                builder.AddMicroserviceKit(options => options.ServiceName = "employees").AddTokenIssuer();
            },
            app =>
            {
                // Stands in for UseForwardedHeaders: every request comes from loopback, the test names the client.
                app.Use((context, next) =>
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(context.Request.Headers["X-Test-Client"].ToString());
                    return next(context);
                });
                app.UseMicroserviceKit();
                app.MapPost("/tokens", (SignInBody body, HttpContext context, ISignInThrottle throttle) =>
                    {
                        throttle.EnsureAllowed(context, body.Username, body.Password);
                        if (body.Password != "right")
                        {
                            throttle.RecordFailure(context, body.Username);
                            return Results.Unauthorized();
                        }

                        throttle.RecordSuccess(context, body.Username);
                        return Results.Ok();
                    })
                    .RequireSignInThrottling();
            });

    private static async Task<HttpResponseMessage> SignInAsync(KestrelTestHost host, string client, string password = "right")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tokens") { Content = JsonContent.Create(new SignInBody("alice", password)) };
        request.Headers.Add("X-Test-Client", client);
        return await host.Client.SendAsync(request);
    }

    private sealed record SignInBody(string Username, string Password);

    /// <summary>The throttle from the kit's own registration, on a fake clock, with its logs collected.</summary>
    private sealed class Throttle : IDisposable
    {
        private readonly ServiceProvider _provider;

        public Throttle(Action<SignInThrottleOptions>? configure = null)
        {
            var services = new ServiceCollection();
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddFakeLogging());
            services.AddSingleton<TimeProvider>(Time);
            services.AddMicroserviceKit(options => options.ServiceName = "employees").AddTokenIssuer();
            if (configure is not null)
            {
                services.Configure(configure);
            }

            _provider = services.BuildServiceProvider();
            Service = _provider.GetRequiredService<ISignInThrottle>();
        }

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero));

        public ISignInThrottle Service { get; }

        public HttpContext Request { get; } = new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Loopback } };

        public FakeLogCollector Logs => _provider.GetFakeLogCollector();

        public void Dispose() => _provider.Dispose();
    }
}

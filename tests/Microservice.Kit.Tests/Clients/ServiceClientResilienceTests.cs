using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Microservice.Kit.Clients;
using Microservice.Kit.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Microservice.Kit.Tests.Clients;

/// <summary>The proofs against real faults: a real Kestrel service on loopback that misbehaves on command.</summary>
[Collection(Infrastructure.TimingSensitive.Name)]
public sealed class ServiceClientResilienceTests(ITestOutputHelper output)
{
    private const int RetryScheduledEvent = 6003;

    [Fact]
    public async Task Get_ThirtyPercentOfResponses503_All200Succeed_AndEachRetryIsLogged()
    {
        var requests = 0;
        var failures = 0;
        await using var service = await TestService.StartAsync(app => app.MapGet("/employees/{id:int}", (int id) =>
        {
            // Exactly 3 of every 10 responses fail, never two in a row: deterministic, so the test cannot flake.
            if (Interlocked.Increment(ref requests) % 10 is 1 or 4 or 7)
            {
                Interlocked.Increment(ref failures);
                return Results.StatusCode(503);
            }

            return Results.Ok(new Employee(id, "Ada", "London"));
        }));
        await using var harness = ClientTestHarness.Create(service.BaseAddress);
        var client = harness.Client;

        for (var i = 0; i < 200; i++)
        {
            var employee = await client.GetAsync<Employee>($"/employees/{i}");
            Assert.Equal(i, employee.Id);
        }

        Assert.Equal(200 + failures, requests);
        Assert.InRange(failures, 80, 90);
        Assert.Equal(failures, harness.CountLogs(RetryScheduledEvent));
        var retry = harness.Logs.GetSnapshot().First(r => r.Id.Id == RetryScheduledEvent);
        Assert.Contains("GET /employees/", retry.Message, StringComparison.Ordinal);
        Assert.Contains("status 503", retry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerDown_FailsWith503DependencyUnavailable_OpensTheCircuit_FailsAtOnce_AndRecovers()
    {
        var address = await TestService.DownAddressAsync();
        await using var harness = ClientTestHarness.Create(address, o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(1);
            o.TotalTimeout = TimeSpan.FromSeconds(3);
            o.Retry.MaxRetryAttempts = 2;
            o.CircuitBreaker.MinimumThroughput = 6;
            o.CircuitBreaker.FailureRatio = 0.5;
            o.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(2);
        });
        var client = harness.Client;

        var watch = Stopwatch.StartNew();
        var first = await Assert.ThrowsAsync<ServiceCallException>(() => client.GetAsync<Employee>("/employees/1"));
        watch.Stop();
        Assert.Equal(ServiceCallFailure.ConnectionFailed, first.Failure);
        Assert.Equal(503, first.StatusCode);
        Assert.Equal(ProblemCodes.DependencyUnavailable, first.Code);
        Assert.Equal("employees", first.ServiceName);
        Assert.Null(first.ResponseStatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3) + TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");

        // 3 attempts per call; the 6th failed attempt opens the circuit.
        ServiceCallException? open = null;
        for (var i = 0; i < 5 && open is null; i++)
        {
            var error = await Assert.ThrowsAsync<ServiceCallException>(() => client.GetAsync<Employee>("/employees/1"));
            open = error.Failure == ServiceCallFailure.CircuitOpen ? error : null;
        }

        Assert.NotNull(open);
        Assert.Equal(503, open.StatusCode);

        var times = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            watch.Restart();
            var error = await Assert.ThrowsAsync<ServiceCallException>(() => client.GetAsync<Employee>("/employees/1"));
            times.Add(watch.Elapsed);
            Assert.Equal(ServiceCallFailure.CircuitOpen, error.Failure);
        }

        output.WriteLine($"open circuit: mean {times.Average(t => t.TotalMilliseconds):F3} ms, max {times.Max().TotalMilliseconds:F3} ms over {times.Count} calls");
        // No attempt is made, so a call ends in well under the 1 s attempt timeout. The median carries the claim; the
        // maximum only has to stay below the attempt timeout, because one call on a loaded machine can meet a GC
        // pause or a busy thread pool.
        var median = times.Order().ElementAt(times.Count / 2);
        Assert.True(median < TimeSpan.FromMilliseconds(100), $"the median call with the circuit open took {median}");
        Assert.True(times.Max() < TimeSpan.FromSeconds(1), $"a call with the circuit open took {times.Max()}");

        await using var revived = await TestService.StartAsync(
            app => app.MapGet("/employees/{id:int}", (int id) => new Employee(id, "Ada", "London")), address.Port);

        // The new host's first request compiles its endpoint, which on a loaded machine can outlast the 1 s attempt
        // timeout and fail the half-open trial: that would be the test server's start-up, not the client, so it is
        // warmed with a plain HttpClient first.
        using (var plain = new HttpClient { BaseAddress = address })
        using (var warm = await plain.GetAsync(new Uri("/employees/1", UriKind.Relative)))
        {
            warm.EnsureSuccessStatusCode();
        }

        await Task.Delay(TimeSpan.FromSeconds(2.5));

        var employee = await client.GetAsync<Employee>("/employees/7");
        Assert.Equal(7, employee.Id);
        Assert.Equal(8, (await client.GetAsync<Employee>("/employees/8")).Id);
    }

    [Fact]
    public async Task SlowServer_AttemptTimeoutFires_AndTheCallEndsWithinTheTotalTimeout()
    {
        var requests = 0;
        await using var service = await StartSlowServiceAsync(() => Interlocked.Increment(ref requests));
        await using var harness = ClientTestHarness.Create(service.BaseAddress, o =>
        {
            o.AttemptTimeout = TimeSpan.FromMilliseconds(300);
            o.TotalTimeout = TimeSpan.FromSeconds(1.5);
            o.Retry.MaxRetryAttempts = 10;
        });

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<Employee>("/slow"));
        watch.Stop();

        Assert.Equal(ServiceCallFailure.Timeout, error.Failure);
        Assert.Equal(503, error.StatusCode);
        // At least most of the total timeout (the call did not give up early); far less than one attempt left alone
        // (the server waits 30 s), with a wide margin because a loaded machine fires timers late (17 s seen once).
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.2), TimeSpan.FromSeconds(25));
        // The attempt timeout fired and the call retried: counted on the client, where each abandoned attempt is
        // logged, because on a loaded machine a retried attempt can time out before the server has read it.
        Assert.InRange(harness.CountLogs(RetryScheduledEvent), 1, 10);
        Assert.InRange(Volatile.Read(ref requests), 1, 6);
    }

    [Fact]
    public async Task Post_WithoutIdempotencyKey_UnderFailures_IsSentExactlyOnce()
    {
        var requests = 0;
        await using var service = await TestService.StartAsync(app => app.MapPost("/loans", () =>
        {
            Interlocked.Increment(ref requests);
            return Results.StatusCode(503);
        }));
        await using var harness = ClientTestHarness.Create(service.BaseAddress);

        var error = await Assert.ThrowsAsync<ServiceCallException>(() =>
            harness.Client.PostAsync<Employee, Employee>("/loans", new Employee(1, "Ada", "London")));

        Assert.Equal(ServiceCallFailure.ErrorResponse, error.Failure);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.ResponseStatusCode);
        Assert.Equal(1, requests);
        Assert.Equal(0, harness.CountLogs(RetryScheduledEvent));
    }

    [Fact]
    public async Task Post_WithIdempotencyKeyAdded_IsRetried_AndTheServerSeesTheSameKeyEachTime()
    {
        var keys = new List<string>();
        await using var service = await TestService.StartAsync(app => app.MapPost("/loans", (HttpContext context, Employee body) =>
        {
            lock (keys)
            {
                keys.Add(context.Request.Headers["Idempotency-Key"].ToString());
                return keys.Count < 3 ? Results.StatusCode(503) : Results.Created("/loans/1", body);
            }
        }));
        await using var harness = ClientTestHarness.Create(service.BaseAddress, o => o.AddIdempotencyKey = true);

        var created = await harness.Client.PostAsync<Employee, Employee>("/loans", new Employee(1, "Ada", "London"));

        Assert.Equal("Ada", created.Name);
        Assert.Equal(3, keys.Count);
        Assert.False(string.IsNullOrEmpty(keys[0]));
        Assert.Single(keys.Distinct());
    }

    [Fact]
    public async Task Post_WithTheCallersIdempotencyKey_IsRetriedWithThatKey()
    {
        var keys = new List<string>();
        await using var service = await TestService.StartAsync(app => app.MapPost("/loans", (HttpContext context) =>
        {
            lock (keys)
            {
                keys.Add(context.Request.Headers["Idempotency-Key"].ToString());
                return keys.Count < 2 ? Results.StatusCode(500) : Results.Ok();
            }
        }));
        await using var harness = ClientTestHarness.Create(service.BaseAddress);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/loans") { Content = new StringContent("{}") };
        request.Headers.Add("Idempotency-Key", "loan-42");

        using var response = await harness.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["loan-42", "loan-42"], keys);
    }

    [Fact]
    public async Task RetryAfterOneSecond_IsHonoured()
    {
        var arrivals = new List<TimeSpan>();
        var clock = Stopwatch.StartNew();
        await using var service = await TestService.StartAsync(app => app.MapGet("/busy", (HttpContext context) =>
        {
            lock (arrivals)
            {
                arrivals.Add(clock.Elapsed);
                if (arrivals.Count == 1)
                {
                    context.Response.Headers.RetryAfter = "1";
                    return Results.StatusCode(503);
                }

                return Results.Ok(new Employee(1, "Ada", "London"));
            }
        }));
        await using var harness = ClientTestHarness.Create(service.BaseAddress);

        var employee = await harness.Client.GetAsync<Employee>("/busy");

        Assert.Equal(1, employee.Id);
        Assert.Equal(2, arrivals.Count);

        // The backoff alone would wait ~10 ms; only the header explains a second's gap.
        Assert.True(arrivals[1] - arrivals[0] >= TimeSpan.FromMilliseconds(950), $"retried after {arrivals[1] - arrivals[0]}");
    }

    [Fact]
    public async Task RetryAfterAnHour_IsNotWaitedOutPastTheTotalTimeout()
    {
        var requests = 0;
        await using var service = await TestService.StartAsync(app => app.MapGet("/busy", (HttpContext context) =>
        {
            Interlocked.Increment(ref requests);
            context.Response.Headers.RetryAfter = "3600";
            return Results.StatusCode(503);
        }));
        await using var harness = ClientTestHarness.Create(service.BaseAddress, o => o.TotalTimeout = TimeSpan.FromSeconds(30));

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<Employee>("/busy"));
        watch.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.ResponseStatusCode);
        Assert.Equal(1, requests);
        // Waiting would take the whole 30 s total timeout; the margin below it is for a loaded machine.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.Equal(1, harness.CountLogs(6009));
    }

    [Fact]
    public async Task LargeStreamedBody_IsResentIntactOnRetry()
    {
        var payload = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var received = new List<(long Length, string Hash)>();
        await using var service = await TestService.StartAsync(app => app.MapPut("/files/report", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var hash = Convert.ToHexString(SHA256.HashData(buffer.ToArray()));
            lock (received)
            {
                received.Add((buffer.Length, hash));
                return received.Count == 1 ? Results.StatusCode(503) : Results.Text(hash);
            }
        }));
        await using var harness = ClientTestHarness.Create(service.BaseAddress);

        // A stream that can be read once, as an upload from a file or another request would be.
        using var request = new HttpRequestMessage(HttpMethod.Put, "/files/report") { Content = new StreamContent(new ForwardOnlyStream(payload)) };
        using var response = await harness.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = Convert.ToHexString(SHA256.HashData(payload));
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
        Assert.Equal(2, received.Count);
        Assert.All(received, r => Assert.Equal((payload.Length, expected), r));
    }

    [Fact]
    public async Task OneFailingAuthority_DoesNotOpenTheCircuitOfAnother()
    {
        var down = await TestService.DownAddressAsync();
        await using var up = await TestService.StartAsync(app => app.MapGet("/employees/{id:int}", (int id) => new Employee(id, "Ada", "London")));
        await using var harness = ClientTestHarness.Create(down, o =>
        {
            o.Retry.MaxRetryAttempts = 0;
            o.CircuitBreaker.MinimumThroughput = 2;
            o.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(30);
        });
        var client = harness.Client;
        ServiceCallFailure failure = default;
        for (var i = 0; i < 5 && failure != ServiceCallFailure.CircuitOpen; i++)
        {
            failure = (await Assert.ThrowsAsync<ServiceCallException>(() => client.GetAsync<Employee>("/employees/1"))).Failure;
        }

        Assert.Equal(ServiceCallFailure.CircuitOpen, failure);

        // The same client, another authority: its own circuit, closed.
        var employee = await client.GetAsync<Employee>(new Uri(up.BaseAddress, "/employees/5").ToString());
        Assert.Equal(5, employee.Id);
    }

    [Fact]
    public async Task Retries_AreCountedInTheRetriesMetric()
    {
        var requests = 0;
        await using var service = await TestService.StartAsync(app => app.MapGet("/flaky", () =>
            Interlocked.Increment(ref requests) <= 2 ? Results.StatusCode(502) : Results.Ok(new Employee(1, "Ada", "London"))));
        var name = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        using var retries = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            Microservice.Kit.Diagnostics.KitDiagnostics.Meter, "microservice_kit.clients.retries");
        using var calls = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            Microservice.Kit.Diagnostics.KitDiagnostics.Meter, "microservice_kit.clients.calls");
        await using var harness = ClientTestHarness.Create(service.BaseAddress, name: name);

        await harness.Client.GetAsync<Employee>("/flaky");

        Assert.Equal(2, retries.GetMeasurementSnapshot().Where(m => Equals(m.Tags["service"], name)).Sum(m => m.Value));
        var call = Assert.Single(calls.GetMeasurementSnapshot(), m => Equals(m.Tags["service"], name));
        Assert.Equal("success", call.Tags["outcome"]);
    }

    [Theory]
    [InlineData(400, 1)]
    [InlineData(404, 1)]
    [InlineData(408, 4)]
    [InlineData(429, 4)]
    [InlineData(500, 4)]
    [InlineData(503, 4)]
    public async Task Delete_IsRetriedOnTransientStatusesOnly(int status, int expectedRequests)
    {
        var requests = 0;
        await using var service = await TestService.StartAsync(app => app.MapDelete("/employees/1", () =>
        {
            Interlocked.Increment(ref requests);
            return Results.StatusCode(status);
        }));
        await using var harness = ClientTestHarness.Create(service.BaseAddress, o => o.CircuitBreaker.MinimumThroughput = 100);

        var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.DeleteAsync("/employees/1"));

        Assert.Equal((HttpStatusCode)status, error.ResponseStatusCode);
        Assert.Equal(expectedRequests, requests);
    }

    [Fact]
    public async Task HandlerAddedThroughConfigureHttpClient_RunsOnEveryAttempt()
    {
        var versions = new List<string>();
        await using var service = await TestService.StartAsync(app => app.MapGet("/employees/1", (HttpContext context) =>
        {
            lock (versions)
            {
                versions.Add(context.Request.Headers["api-version"].ToString());
                return versions.Count == 1 ? Results.StatusCode(503) : Results.Ok(new Employee(1, "Ada", "London"));
            }
        }));
        await using var harness = ClientTestHarness.Create(service.BaseAddress, client: b =>
            b.ConfigureHttpClient(http => http.AddHttpMessageHandler(() => new ApiVersionHandler("2.0"))));

        await harness.Client.GetAsync<Employee>("/employees/1");

        Assert.Equal(["2.0", "2.0"], versions);
    }

    [Fact]
    public async Task CallerCancels_IsAnOperationCanceledException_NotAServiceCallException_AndNotRetried()
    {
        var requests = 0;
        await using var service = await StartSlowServiceAsync(() => Interlocked.Increment(ref requests));
        await using var harness = ClientTestHarness.Create(service.BaseAddress, o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(60);
            o.TotalTimeout = TimeSpan.FromSeconds(120);
        });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Client.GetAsync<Employee>("/slow", cancel.Token));

        // The server would hold the call for 30 s and the client's own timeouts are longer: ending well before that
        // shows the caller's token stopped it (the margin is for a loaded machine).
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.Equal(0, harness.CountLogs(RetryScheduledEvent));
        Assert.InRange(Volatile.Read(ref requests), 0, 1);
    }

    [Fact]
    public async Task BackoffLongerThanTheTimeLeft_EndsTheCallWithTheLastAnswer_InsteadOfWaitingForTheTimeout()
    {
        var requests = 0;
        await using var service = await TestService.StartAsync(app => app.MapGet("/down", () =>
        {
            Interlocked.Increment(ref requests);
            return Results.StatusCode(503);
        }));
        await using var harness = ClientTestHarness.Create(service.BaseAddress, o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(5);
            o.TotalTimeout = TimeSpan.FromSeconds(30);
            o.Retry.BaseDelay = TimeSpan.FromSeconds(60);
            o.Retry.MaxDelay = TimeSpan.FromSeconds(60);
            o.Retry.UseJitter = false;
        });

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<Employee>("/down"));

        Assert.Equal(ServiceCallFailure.ErrorResponse, error.Failure);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.ResponseStatusCode);
        Assert.Equal(1, requests);
        // Waiting for the retry would take the whole 30 s total timeout; the margin below it is for a loaded machine.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}: the client waited for a retry that could not fit");
    }

    [Fact]
    public async Task OpenCircuit_OutlivesTheHandler_ThatIHttpClientFactoryReplaces()
    {
        var down = await TestService.DownAddressAsync();
        var handlers = 0;
        await using var harness = ClientTestHarness.Create(
            down,
            o =>
            {
                o.Retry.MaxRetryAttempts = 0;
                o.CircuitBreaker.MinimumThroughput = 2;
                o.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(60);
            },
            client: b => b.ConfigureHttpClient(http => http
                .SetHandlerLifetime(TimeSpan.FromSeconds(1))
                .AddHttpMessageHandler(() =>
                {
                    Interlocked.Increment(ref handlers);
                    return new PassThroughHandler();
                })));
        ServiceCallFailure failure = default;
        for (var i = 0; i < 5 && failure != ServiceCallFailure.CircuitOpen; i++)
        {
            failure = (await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<Employee>("/employees/1"))).Failure;
        }

        Assert.Equal(ServiceCallFailure.CircuitOpen, failure);
        var before = Volatile.Read(ref handlers);

        // Past the handler lifetime, the factory builds a new handler chain for the next client. Its expiry runs on a
        // timer, which a loaded machine can fire late, so keep calling (each call must meet the open circuit) until a
        // new chain has been built, within a bound far above the one-second lifetime.
        var started = TimeProvider.System.GetTimestamp();
        var calls = 0;
        while (Volatile.Read(ref handlers) == before && TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<Employee>("/employees/1"));
            Assert.Equal(ServiceCallFailure.CircuitOpen, error.Failure);
            calls++;
        }

        Assert.True(Volatile.Read(ref handlers) > before, "the factory did not replace the handler in 30 s; the test proves nothing");

        // The call that built the new chain went through it, and the circuit it met was still open.
        Assert.True(calls > 0);
        var after = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<Employee>("/employees/1"));
        Assert.Equal(ServiceCallFailure.CircuitOpen, after.Failure);
    }

    /// <summary>A service whose <c>/slow</c> holds every request for 30 s (or until the client gives up), counting them.</summary>
    private static Task<Infrastructure.KestrelTestHost> StartSlowServiceAsync(Action counted) =>
        TestService.StartAsync(app => app.MapGet("/slow", async (HttpContext context) =>
        {
            counted();
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            return Results.Ok();
        }));

    private sealed class PassThroughHandler : DelegatingHandler;

    /// <summary>Stands in for the Versioning feature's client handler.</summary>
    private sealed class ApiVersionHandler(string version) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove("api-version");
            request.Headers.Add("api-version", version);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

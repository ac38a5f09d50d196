using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using Microservice.Kit.Clients;
using Microservice.Kit.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Microservice.Kit.Tests.Clients;

/// <summary>
/// A dependency that answers, but badly (issue 14, item 10): too large, in a charset that cannot be decoded, not
/// JSON, or JSON that does not fit the declared type. Each is 502 <c>DependencyInvalidResponse</c>, made once (not
/// retried), never a 500, and none of them opens the circuit. A real Kestrel service on loopback misbehaves on purpose.
/// </summary>
public sealed class ServiceClientInvalidResponseTests
{
    private const int TwentyMegabytes = 20 * 1024 * 1024;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Get_BodyOverMaxResponseBufferBytes_Is502InvalidResponse_AndAtMostTheLimitIsRead(bool declaresLength)
    {
        var hits = 0;
        await using var service = await TestService.StartAsync(app => app.MapGet("/employees/1", async (HttpContext http) =>
        {
            Interlocked.Increment(ref hits);
            http.Response.ContentType = "application/json";
            if (declaresLength)
            {
                http.Response.ContentLength = TwentyMegabytes;
            }

            // A JSON array of 20 MB, 64 KiB at a time, until the client hangs up.
            var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("1,", 32 * 1024)));
            try
            {
                for (var written = 0; written < TwentyMegabytes && !http.RequestAborted.IsCancellationRequested; written += chunk.Length)
                {
                    await http.Response.Body.WriteAsync(chunk, http.RequestAborted);
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException)
            {
                // The client hung up: what the limit is for.
            }
        }));

        // What the client takes off the wire, counted between the kit's handler and the socket.
        var read = new StrongBox<long>();
        await using var harness = ClientTestHarness.Create(service.BaseAddress, client: c => c.HttpClientBuilder.AddHttpMessageHandler(() => new CountingHandler(read)));

        var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<int[]>("/employees/1"));

        Assert.Equal(ServiceCallFailure.InvalidResponse, error.Failure);
        Assert.Equal(502, error.StatusCode);
        Assert.Equal(ProblemCodes.DependencyInvalidResponse, error.Code);
        Assert.Equal(HttpStatusCode.OK, error.ResponseStatusCode);
        Assert.Equal(1, hits);

        // Flat memory: the read stops at the 1 MiB limit (plus the one read that crossed it), or, when the service
        // declares 20 MB up front, never starts.
        Assert.True(read.Value <= (declaresLength ? 0 : 1024 * 1024 + (128 * 1024)), $"the client read {read.Value} bytes");
    }

    [Fact]
    public async Task Get_BodyWithinMaxResponseBufferBytes_IsRead()
    {
        var items = Enumerable.Range(0, 50_000).ToArray();
        await using var service = await TestService.StartAsync(app => app.MapGet("/numbers", () => items));
        await using var harness = ClientTestHarness.Create(service.BaseAddress, o => o.MaxResponseBufferBytes = 2 * 1024 * 1024);

        Assert.Equal(items, await harness.Client.GetAsync<int[]>("/numbers"));
    }

    [Theory]
    [InlineData("application/json; charset=utf-7")]
    [InlineData("application/json; charset=\"utf-7\"")]
    [InlineData("application/json; charset=nonsense")]
    public async Task Get_SuccessInACharsetThatCannotBeDecoded_Is502InvalidResponse(string contentType)
    {
        await using var service = await ServeAsync(200, "{\"id\":16,\"name\":\"Ada\",\"address\":\"London\"}", contentType);
        await using var harness = ClientTestHarness.Create(service.BaseAddress);

        var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<Employee>("/employees/16"));

        Assert.Equal(ServiceCallFailure.InvalidResponse, error.Failure);
        Assert.Equal(ProblemCodes.DependencyInvalidResponse, error.Code);
    }

    [Theory]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("application/json")]
    public async Task Get_SuccessInADecodableCharset_IsRead(string contentType)
    {
        await using var service = await ServeAsync(200, "{\"id\":16,\"name\":\"Ada\",\"address\":\"London\"}", contentType);
        await using var harness = ClientTestHarness.Create(service.BaseAddress);

        Assert.Equal(new Employee(16, "Ada", "London"), await harness.Client.GetAsync<Employee>("/employees/16"));
    }

    [Theory]
    [InlineData("{\"id\":16,\"name\":null,\"address\":\"London\"}", "application/json")]
    [InlineData("{\"id\":16,\"address\":\"London\"}", "application/json")]
    [InlineData("{\"id\":16,\"name\":\"Ada\",\"address\":null}", "application/json")]
    [InlineData("{\"id\": ", "application/json")]
    [InlineData("<!DOCTYPE html><html><body>Welcome to nginx!</body></html>", "text/html")]
    [InlineData("<!DOCTYPE html><html><body>Login</body></html>", "application/json")]
    [InlineData("", "application/json")]
    [InlineData("null", "application/json")]
    [InlineData("[1,2,3]", "application/json")]
    public async Task Get_SuccessThatDoesNotFitTheDeclaredType_Is502InvalidResponse(string body, string contentType)
    {
        var hits = 0;
        await using var service = await ServeAsync(200, body, contentType, () => Interlocked.Increment(ref hits));
        await using var harness = ClientTestHarness.Create(service.BaseAddress);

        var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<Employee>("/employees/16"));

        Assert.Equal(ServiceCallFailure.InvalidResponse, error.Failure);
        Assert.Equal(502, error.StatusCode);
        Assert.Equal(ProblemCodes.DependencyInvalidResponse, error.Code);
        Assert.Equal(1, hits);
    }

    [Fact]
    public async Task Get_NullableMemberNull_IsAccepted()
    {
        await using var service = await ServeAsync(200, "{\"id\":16,\"name\":\"Ada\",\"nickname\":null}", "application/json");
        await using var harness = ClientTestHarness.Create(service.BaseAddress);

        Assert.Equal(new Person(16, "Ada", null), await harness.Client.GetAsync<Person>("/employees/16"));
    }

    // The breaker guards against a dependency that is down or overloaded. One that answers, but unusably, is up:
    // opening the circuit would fail every other call to it too (the good records as well as the bad one).
    [Fact]
    public async Task InvalidResponses_AreNotRetried_AndDoNotOpenTheCircuit()
    {
        var hits = 0;
        await using var service = await TestService.StartAsync(app =>
        {
            app.MapGet("/large", (HttpContext http) =>
            {
                Interlocked.Increment(ref hits);
                return Results.Bytes(new byte[64 * 1024], "application/json");
            });
            app.MapGet("/null-name", () =>
            {
                Interlocked.Increment(ref hits);
                return Results.Text("{\"id\":1,\"name\":null,\"address\":\"x\"}", "application/json");
            });
            app.MapGet("/employees/1", () => new Employee(1, "Ada", "London"));
        });
        await using var harness = ClientTestHarness.Create(service.BaseAddress, o =>
        {
            o.MaxResponseBufferBytes = 1024;
            o.CircuitBreaker.MinimumThroughput = 4;
            o.CircuitBreaker.FailureRatio = 0.5;
        });

        for (var i = 0; i < 6; i++)
        {
            var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<Employee>(i % 2 == 0 ? "/large" : "/null-name"));
            Assert.Equal(ServiceCallFailure.InvalidResponse, error.Failure);
        }

        Assert.Equal(6, hits);
        Assert.Equal(new Employee(1, "Ada", "London"), await harness.Client.GetAsync<Employee>("/employees/1"));
    }

    [Fact]
    public async Task UnhandledInvalidResponse_LeavesTheCallingServiceAs502DependencyInvalidResponse()
    {
        await using var employees = await ServeAsync(200, "{\"id\":16,\"name\":null,\"address\":\"London\"}", "application/json");
        await using var library = await Infrastructure.KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit().AddServiceClient("employees", o => o.BaseAddress = employees.BaseAddress),
            app =>
            {
                app.UseMicroserviceKit();
                app.MapPost("/books/{id:int}/loans", async (int id, [FromKeyedServices("employees")] ServiceClient client) =>
                    Results.Ok(await client.GetAsync<Employee>($"/employees/{id}")));
            });

        using var response = await library.Client.PostAsync(new Uri("/books/16/loans", UriKind.Relative), null);
        var problem = await response.Content.ReadFromJsonAsync<Dictionary<string, object?>>();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ProblemCodes.DependencyInvalidResponse, problem!["code"]?.ToString());
        Assert.Equal("employees", problem["service"]?.ToString());
        Assert.Equal("InvalidResponse", problem["reason"]?.ToString());
    }

    // RespectNullableAnnotations applies to our own request bodies too: a null there is this service's bug, a 500,
    // never the 400 "malformed JSON" that a JsonException would become for our caller.
    [Fact]
    public async Task Post_OwnBodyWithNullInANonNullableMember_IsAnInvalidOperationAndNothingIsSent()
    {
        var hits = 0;
        await using var service = await TestService.StartAsync(app => app.MapPost("/employees", () =>
        {
            Interlocked.Increment(ref hits);
            return Results.Ok();
        }));
        await using var harness = ClientTestHarness.Create(service.BaseAddress);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Client.PostAsync("/employees", new Employee(1, null!, "London")));

        Assert.IsType<System.Text.Json.JsonException>(error.InnerException);
        Assert.Equal(0, hits);
    }

    private static Task<Infrastructure.KestrelTestHost> ServeAsync(int status, string body, string contentType, Action? onHit = null) =>
        TestService.StartAsync(app => app.MapGet("/employees/{id:int}", async (HttpContext http) =>
        {
            onHit?.Invoke();
            http.Response.StatusCode = status;
            http.Response.Headers.ContentType = contentType;
            await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body));
        }));

    public sealed record Person(int Id, string Name, string? Nickname);

    private sealed class CountingHandler(StrongBox<long> read) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var counted = new StreamContent(new CountingStream(await response.Content.ReadAsStreamAsync(cancellationToken), read));
            foreach (var header in response.Content.Headers)
            {
                counted.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = counted;
            return response;
        }
    }

    private sealed class CountingStream(Stream inner, StrongBox<long> read) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Count(int n)
        {
            Interlocked.Add(ref read.Value, n);
            return n;
        }
    }
}

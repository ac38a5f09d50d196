using System.Diagnostics;
using System.Net;
using Microservice.Kit.Clients;
using Microservice.Kit.Problems;
using Microservice.Kit.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Tests.Clients;

/// <summary>What the called service sees: tokens, correlation id and trace context, observed on a real server.</summary>
public sealed class TokenAndCorrelationTests
{
    [Fact]
    public async Task Propagate_BearerOfTheIncomingRequest_IsSentAsBearer()
    {
        await using var service = await StartEchoAsync();
        await using var harness = ClientTestHarness.Create(service.BaseAddress, client: b => b.PropagateIncomingToken());
        SetIncomingRequest(harness, headers => headers.Authorization = "Bearer incoming-token");

        var seen = await harness.Client.GetAsync<Dictionary<string, string>>("/echo");

        Assert.Equal("Bearer incoming-token", seen["authorization"]);
    }

    [Fact]
    public async Task Propagate_XAuthHeaderOfTheIncomingRequest_IsSentInTheConfiguredHeader()
    {
        await using var service = await StartEchoAsync();
        await using var harness = ClientTestHarness.Create(service.BaseAddress, o =>
        {
            o.Token.Mode = ServiceClientTokenMode.Propagate;
            o.Token.IncomingHeader = "X-Auth-Header";
            o.Token.OutgoingHeader = "X-Auth-Header";
        });
        SetIncomingRequest(harness, headers => headers["X-Auth-Header"] = "raw-token");

        var seen = await harness.Client.GetAsync<Dictionary<string, string>>("/echo");

        Assert.Equal("raw-token", seen["x-auth-header"]);
        Assert.Equal(string.Empty, seen["authorization"]);
    }

    [Fact]
    public async Task Propagate_IncomingHeaderUnset_ReadsTheHeaderTheServiceAcceptsTokensIn()
    {
        await using var service = await StartEchoAsync();
        await using var harness = ClientTestHarness.Create(service.BaseAddress, client: b => b.PropagateIncomingToken(),
            services: s => s.Configure<TokenOptions>(o => o.TokenHeader = "X-Token"));
        SetIncomingRequest(harness, headers => headers["X-Token"] = "raw-token");

        var seen = await harness.Client.GetAsync<Dictionary<string, string>>("/echo");

        Assert.Equal("Bearer raw-token", seen["authorization"]);
    }

    [Fact]
    public async Task Propagate_ServiceReadsNoExtraTokenHeader_DoesNotPassOnXAuthHeader()
    {
        await using var service = await StartEchoAsync();
        await using var harness = ClientTestHarness.Create(service.BaseAddress, client: b => b.PropagateIncomingToken());
        SetIncomingRequest(harness, headers => headers["X-Auth-Header"] = "never-validated");

        var seen = await harness.Client.GetAsync<Dictionary<string, string>>("/echo");

        // The service's own validation ignores X-Auth-Header here, so passing it on would forward an unchecked credential.
        Assert.Equal(string.Empty, seen["authorization"]);
        Assert.Equal(string.Empty, seen["x-auth-header"]);
    }

    [Fact]
    public async Task Propagate_IncomingHeaderEmpty_ReadsNoHeaderEvenWhenTheServiceDoes()
    {
        await using var service = await StartEchoAsync();
        await using var harness = ClientTestHarness.Create(service.BaseAddress,
            o =>
            {
                o.Token.Mode = ServiceClientTokenMode.Propagate;
                o.Token.IncomingHeader = string.Empty;
            },
            services: s => s.Configure<TokenOptions>(o => o.TokenHeader = "X-Auth-Header"));
        SetIncomingRequest(harness, headers => headers["X-Auth-Header"] = "raw-token");

        var seen = await harness.Client.GetAsync<Dictionary<string, string>>("/echo");

        Assert.Equal(string.Empty, seen["authorization"]);
    }

    [Fact]
    public async Task TokenSource_IsCached_AndSentAsBearer()
    {
        await using var service = await StartEchoAsync();
        var acquisitions = 0;
        await using var harness = ClientTestHarness.Create(service.BaseAddress, client: b => b.AddTokenSource(_ =>
        {
            Interlocked.Increment(ref acquisitions);
            return ValueTask.FromResult(new ServiceToken("service-token", DateTimeOffset.UtcNow.AddHours(1)));
        }));

        var first = await harness.Client.GetAsync<Dictionary<string, string>>("/echo");
        var second = await harness.Client.GetAsync<Dictionary<string, string>>("/echo");

        Assert.Equal("Bearer service-token", first["authorization"]);
        Assert.Equal("Bearer service-token", second["authorization"]);
        Assert.Equal(1, acquisitions);
    }

    [Fact]
    public async Task TokenSource_Failing_IsAServiceCallExceptionAndNoCallIsMade()
    {
        var requests = 0;
        await using var service = await TestService.StartAsync(app => app.MapGet("/echo", () => Interlocked.Increment(ref requests)));
        await using var harness = ClientTestHarness.Create(service.BaseAddress, client: b => b.AddTokenSource(_ =>
            ValueTask.FromException<ServiceToken>(new InvalidOperationException("issuer down"))));

        var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<int>("/echo"));

        Assert.Equal(ServiceCallFailure.TokenUnavailable, error.Failure);
        Assert.Equal(503, error.StatusCode);
        Assert.Equal(0, requests);
    }

    [Fact]
    public async Task Token_IsNeverSentToAHostTheClientWasNotConfiguredFor()
    {
        await using var configured = await StartEchoAsync();
        await using var other = await StartEchoAsync();
        await using var harness = ClientTestHarness.Create(configured.BaseAddress, client: b => b.AddTokenSource(_ =>
            ValueTask.FromResult(new ServiceToken("service-token", DateTimeOffset.UtcNow.AddHours(1)))));

        var elsewhere = await harness.Client.GetAsync<Dictionary<string, string>>(new Uri(other.BaseAddress, "/echo").ToString());
        var home = await harness.Client.GetAsync<Dictionary<string, string>>(new Uri(configured.BaseAddress, "/echo").ToString());

        Assert.Equal(string.Empty, elsewhere["authorization"]);
        Assert.Equal("Bearer service-token", home["authorization"]);
        Assert.Equal(1, harness.CountLogs(6008));
        Assert.DoesNotContain(harness.Logs.GetSnapshot(), r => r.Message.Contains("service-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_SetByTheCaller_IsLeftAlone()
    {
        await using var service = await StartEchoAsync();
        await using var harness = ClientTestHarness.Create(service.BaseAddress, client: b => b.PropagateIncomingToken());
        SetIncomingRequest(harness, headers => headers.Authorization = "Bearer incoming-token");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer explicit");

        using var response = await harness.Client.SendAsync(request);
        var seen = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<Dictionary<string, string>>(response.Content);

        Assert.Equal("Bearer explicit", seen!["authorization"]);
    }

    [Fact]
    public async Task NoTokenMode_SendsNoToken()
    {
        await using var service = await StartEchoAsync();
        await using var harness = ClientTestHarness.Create(service.BaseAddress);
        SetIncomingRequest(harness, headers => headers.Authorization = "Bearer incoming-token");

        var seen = await harness.Client.GetAsync<Dictionary<string, string>>("/echo");

        Assert.Equal(string.Empty, seen["authorization"]);
    }

    [Theory]
    [InlineData(401, 401, "Unauthorized")]
    [InlineData(403, 403, "Forbidden")]
    public async Task Propagate_RefusalOfTheCallersToken_IsTheCallersStatus_NotAnOutage(int answered, int status, string code)
    {
        var requests = 0;
        await using var service = await StartRefusingAsync(answered, () => Interlocked.Increment(ref requests));
        await using var harness = ClientTestHarness.Create(service.BaseAddress, client: b => b.PropagateIncomingToken());
        SetIncomingRequest(harness, headers => headers.Authorization = "Bearer incoming-token");

        var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<int>("/refuse"));

        Assert.Equal(ServiceCallFailure.CallerNotAuthorized, error.Failure);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(code, error.Code);
        Assert.Equal((HttpStatusCode)answered, error.ResponseStatusCode);
        Assert.Equal("NoPermission", error.ProblemCode);
        Assert.Equal("CallerNotAuthorized", error.Extensions["reason"]);
        Assert.Equal("employees", error.Extensions["service"]);
        Assert.DoesNotContain("secret internals", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, requests);
    }

    [Fact]
    public async Task ServiceToken_Refused_IsStillAnOutage_BecauseTheCallerCannotFixIt()
    {
        var requests = 0;
        await using var service = await StartRefusingAsync(403, () => Interlocked.Increment(ref requests));
        await using var harness = ClientTestHarness.Create(service.BaseAddress, client: b => b.AddTokenSource(_ =>
            ValueTask.FromResult(new ServiceToken("service-token", DateTimeOffset.UtcNow.AddHours(1)))));

        var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<int>("/refuse"));

        Assert.Equal(ServiceCallFailure.ErrorResponse, error.Failure);
        Assert.Equal(503, error.StatusCode);
        Assert.Equal(ProblemCodes.DependencyUnavailable, error.Code);
        Assert.Equal(HttpStatusCode.Forbidden, error.ResponseStatusCode);
        Assert.Equal(1, requests);
    }

    [Fact]
    public async Task Propagate_RefusalByAnotherHost_WhichNeverSawTheCallersToken_IsAnOutage()
    {
        await using var configured = await StartEchoAsync();
        await using var other = await StartRefusingAsync(403, () => { });
        await using var harness = ClientTestHarness.Create(configured.BaseAddress, client: b => b.PropagateIncomingToken());
        SetIncomingRequest(harness, headers => headers.Authorization = "Bearer incoming-token");

        var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<int>(new Uri(other.BaseAddress, "/refuse").ToString()));

        Assert.Equal(ServiceCallFailure.ErrorResponse, error.Failure);
        Assert.Equal(503, error.StatusCode);
    }

    [Fact]
    public async Task CorrelationId_OfTheIncomingRequest_IsPropagated()
    {
        await using var service = await StartEchoAsync();
        await using var harness = ClientTestHarness.Create(service.BaseAddress);
        SetIncomingRequest(harness, headers => headers["X-Correlation-ID"] = "corr-123");

        var seen = await harness.Client.GetAsync<Dictionary<string, string>>("/echo");

        Assert.Equal("corr-123", seen["x-correlation-id"]);
    }

    [Fact]
    public async Task TraceParent_FlowsFromTheCurrentActivity()
    {
        await using var service = await StartEchoAsync();
        await using var harness = ClientTestHarness.Create(service.BaseAddress);
        using var activity = new Activity("incoming").SetIdFormat(ActivityIdFormat.W3C).Start();

        var seen = await harness.Client.GetAsync<Dictionary<string, string>>("/echo");

        Assert.StartsWith("00-" + activity.TraceId.ToHexString() + "-", seen["traceparent"], StringComparison.Ordinal);
    }

    private static Task<Infrastructure.KestrelTestHost> StartEchoAsync() =>
        TestService.StartAsync(app => app.MapGet("/echo", (HttpContext context) => new Dictionary<string, string>
        {
            ["authorization"] = context.Request.Headers.Authorization.ToString(),
            ["x-auth-header"] = context.Request.Headers["X-Auth-Header"].ToString(),
            ["x-correlation-id"] = context.Request.Headers["X-Correlation-ID"].ToString(),
            ["traceparent"] = context.Request.Headers["traceparent"].ToString(),
        }));

    private static Task<Infrastructure.KestrelTestHost> StartRefusingAsync(int status, Action counted) =>
        TestService.StartAsync(app => app.MapGet("/refuse", () =>
        {
            counted();
            return Results.Problem(statusCode: status, detail: "secret internals", extensions: new Dictionary<string, object?> { ["code"] = "NoPermission" });
        }));

    // The client reads the request being handled through IHttpContextAccessor, as it would inside an endpoint.
    private static void SetIncomingRequest(ClientTestHarness harness, Action<IHeaderDictionary> headers)
    {
        var context = new DefaultHttpContext();
        headers(context.Request.Headers);
        harness.Provider.GetRequiredService<IHttpContextAccessor>().HttpContext = context;
    }
}

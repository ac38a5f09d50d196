using System.Diagnostics;
using System.Net;
using Microservice.Kit.Clients;
using Microservice.Kit.Diagnostics;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microservice.Kit.Tests.Hosting;

/// <summary>
/// What AddMicroserviceKit gives OpenTelemetry: providers only when something exports, the kit's sources and
/// instrumentations with service.name when one does, probes untraced, logs correlated. Exported to OpenTelemetry's
/// in-memory exporter through the user's own AddOpenTelemetry() — the way a user adds an exporter.
/// </summary>
[Collection(TelemetryListeners.Name)]
public sealed class KitTelemetryTests
{
    [Fact]
    public async Task AddMicroserviceKit_NothingExports_CreatesNoProviderAndNoListener()
    {
        await using var host = await KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit(o => o.ServiceName = "quiet"),
            app => app.MapKitEndpoints());

        Assert.Null(host.Services.GetService<TracerProvider>());
        Assert.Null(host.Services.GetService<MeterProvider>());
        Assert.Null(host.Services.GetService<LoggerProvider>());
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318", null, true)]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:4318/v1/traces", null, true)]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318", "true", false)]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "", null, false)]
    public async Task AddMicroserviceKit_OtlpVariables_TurnTheExporterOnUnlessTheSdkIsDisabled(string variable, string value, string? disabled, bool exported)
    {
        await using var host = await KestrelTestHost.StartAsync(
            builder =>
            {
                builder.Configuration[variable] = value;
                builder.Configuration["OTEL_SDK_DISABLED"] = disabled;
                builder.AddMicroserviceKit(o => o.ServiceName = "exported");
            },
            app => app.MapKitEndpoints());

        Assert.Equal(exported, host.Services.GetService<TracerProvider>() is not null);
        Assert.Equal(exported, host.Services.GetService<MeterProvider>() is not null);
        Assert.Equal(exported, host.Services.GetService<LoggerProvider>() is not null);
    }

    [Fact]
    public async Task Traces_ServiceCall_ServerKitAndClientSpansInOneTrace_WithServiceName_AndProbesUntraced()
    {
        var spans = new List<Activity>();
        await using var host = await StartCallerAsync(builder => builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddInMemoryExporter(spans)));
        var traceId = ActivityTraceId.CreateRandom();
        var parentId = ActivitySpanId.CreateRandom();

        // The caller's own traceparent, as an upstream service sends it, on a raw connection: this process's own
        // instrumented HttpClient would put its span in between.
        var status = await RawGetAsync(host.BaseAddress, "/outer", $"00-{traceId}-{parentId}-01");
        Assert.StartsWith("HTTP/1.1 200", status, StringComparison.Ordinal);
        using var live = await host.Client.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var ready = await host.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        host.Services.GetRequiredService<TracerProvider>().ForceFlush();

        var trace = await WaitForAsync(spans, s => s.Count(a => a.TraceId == traceId) >= 4, s => s.Where(a => a.TraceId == traceId).ToList());
        var outer = Assert.Single(trace, a => a.Kind == ActivityKind.Server && a.GetTagItem("url.path") as string == "/outer");
        Assert.Equal(parentId, outer.ParentSpanId);
        var call = Assert.Single(trace, a => a.Source.Name == KitDiagnostics.Name);
        Assert.Equal("self GET", call.DisplayName);
        Assert.Equal(outer.SpanId, call.ParentSpanId);
        Assert.Equal("self", call.GetTagItem("microservice_kit.service"));
        Assert.Equal(200, call.GetTagItem("http.response.status_code"));
        var attempt = Assert.Single(trace, a => a.Kind == ActivityKind.Client);
        Assert.Equal(call.SpanId, attempt.ParentSpanId);
        var inner = Assert.Single(trace, a => a.Kind == ActivityKind.Server && a.GetTagItem("url.path") as string == "/inner");
        Assert.Equal(attempt.SpanId, inner.ParentSpanId);

        Assert.DoesNotContain(spans, a => a.GetTagItem("url.path") is "/health/live" or "/health/ready");
        var resource = host.Services.GetRequiredService<TracerProvider>().GetResource();
        Assert.Contains(resource.Attributes, a => a.Key == "service.name" && (string)a.Value == "orders");
    }

    [Fact]
    public async Task Metrics_ServiceCall_KitAndAspNetCoreInstrumentsExported_WithBoundedAttributes()
    {
        var metrics = new List<Metric>();
        await using var host = await StartCallerAsync(builder => builder.Services.AddOpenTelemetry()
            .WithMetrics(m => m.AddInMemoryExporter(metrics)));

        using var response = await host.Client.GetAsync(new Uri("/outer", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var odd = await host.Client.GetAsync(new Uri("/odd-method", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, odd.StatusCode);
        host.Services.GetRequiredService<MeterProvider>().ForceFlush();

        Assert.Contains(metrics, m => m.Name == "http.server.request.duration");
        Assert.Contains(metrics, m => m.Name == "http.client.request.duration");
        var calls = metrics.Last(m => m.Name == "microservice_kit.clients.calls");
        var methods = new HashSet<string>(StringComparer.Ordinal);
        foreach (ref readonly var point in calls.GetMetricPoints())
        {
            string? service = null, method = null;
            foreach (var tag in point.Tags)
            {
                service = tag.Key == "service" ? (string?)tag.Value : service;
                method = tag.Key == "method" ? (string?)tag.Value : method;
            }

            if (service == "self" && method is not null)
            {
                methods.Add(method);
            }
        }

        // A made-up method is counted, as _OTHER: a caller cannot mint time series.
        Assert.Equal(["GET", "_OTHER"], methods.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Logs_DuringARequest_CarryItsTraceAndSpanIds()
    {
        var spans = new List<Activity>();
        var logs = new List<LogRecord>();
        await using var host = await StartCallerAsync(builder => builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddInMemoryExporter(spans))
            .WithLogging(logging => logging.AddInMemoryExporter(logs)));

        using var response = await host.Client.GetAsync(new Uri("/inner", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        host.Services.GetRequiredService<TracerProvider>().ForceFlush();

        var server = await WaitForAsync(spans, s => s.Any(a => a.GetTagItem("url.path") as string == "/inner"), s => s.First(a => a.GetTagItem("url.path") as string == "/inner"));
        var log = Assert.Single(logs, l => l.FormattedMessage == "inner answered" || l.Body == "inner answered");
        Assert.Equal(server.TraceId, log.TraceId);
        Assert.Equal(server.SpanId, log.SpanId);
    }

    /// <summary>
    /// A service named <c>orders</c> whose <c>/outer</c> calls its own <c>/inner</c> through the service client
    /// <c>self</c>, and whose <c>/odd-method</c> calls it with a non-standard method.
    /// </summary>
    private static async Task<KestrelTestHost> StartCallerAsync(Action<WebApplicationBuilder> telemetry)
    {
        // The client calls the host itself: its address is known before the host starts (and validates the client).
        var port = FreePort();
        return await KestrelTestHost.StartAsync(
            builder =>
            {
                builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
                builder.Logging.SetMinimumLevel(LogLevel.Information);
                telemetry(builder);
                builder.AddMicroserviceKit(o => o.ServiceName = "orders")
                    .AddServiceClient("self", o => o.BaseAddress = new Uri($"http://127.0.0.1:{port}"));
            },
            app =>
            {
                app.UseMicroserviceKit();
                app.MapKitEndpoints();
                app.MapGet("/inner", (ILoggerFactory loggers) =>
                {
                    InnerAnswered(loggers.CreateLogger("Tests.Inner"), null);
                    return Results.Ok(new { ok = true });
                });
                app.MapMethods("/inner", ["FETCH"], () => Results.Ok(new { ok = true }));
                app.MapGet("/outer", async ([FromKeyedServices("self")] ServiceClient client) =>
                    Results.Ok(await client.GetAsync<InnerResponse>("/inner")));
                app.MapGet("/odd-method", async ([FromKeyedServices("self")] ServiceClient client) =>
                {
                    using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod("FETCH"), "/inner"));
                    return Results.StatusCode((int)response.StatusCode);
                });
            });
    }

    private static readonly Action<ILogger, Exception?> InnerAnswered =
        LoggerMessage.Define(LogLevel.Information, new EventId(1, "InnerAnswered"), "inner answered");

    private static async Task<string> RawGetAsync(Uri address, string path, string traceparent)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        await using var stream = tcp.GetStream();
        var request = $"GET {path} HTTP/1.1\r\nHost: {address.Authority}\r\ntraceparent: {traceparent}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? string.Empty;
        await reader.ReadToEndAsync();
        return statusLine;
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static async Task<T> WaitForAsync<T>(List<Activity> spans, Func<List<Activity>, bool> done, Func<List<Activity>, T> select)
    {
        // The server span ends after the response is on the wire: give it a moment, far from any real bound.
        for (var i = 0; i < 200; i++)
        {
            lock (spans)
            {
                if (done(spans))
                {
                    return select(spans);
                }
            }

            await Task.Delay(50);
        }

        lock (spans)
        {
            return select(spans);
        }
    }

    private sealed record InnerResponse(bool Ok);
}

/// <summary>Tests that listen on the kit's process-wide ActivitySource and Meter run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryListeners
{
    public const string Name = "Telemetry";
}

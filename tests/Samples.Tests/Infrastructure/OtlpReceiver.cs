using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Samples.Tests.Infrastructure;

/// <summary>A span as an OTLP exporter sent it: ids in lower-case hex, the kind as OTLP numbers it (2 server, 3 client).</summary>
public sealed record OtlpSpan(string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, IReadOnlyDictionary<string, string> Attributes);

/// <summary>A log record as an OTLP exporter sent it.</summary>
public sealed record OtlpLog(string Service, string Scope, string TraceId, string SpanId, string Body);

/// <summary>
/// An OTLP/HTTP receiver on loopback (<c>POST /v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c>, protobuf), the way
/// a collector receives what the samples export. The .NET exporter speaks protobuf only and the OTLP message types
/// are not available as a package here, so the few fields the tests read are decoded from the wire format directly.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app, Uri address)
    {
        _app = app;
        Endpoint = address;
    }

    /// <summary>The value for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>).</summary>
    public Uri Endpoint { get; }

    public ConcurrentQueue<OtlpSpan> Spans { get; } = new();

    public ConcurrentQueue<OtlpLog> Logs { get; } = new();

    public int MetricExports => _metricExports;

    private int _metricExports;

    /// <summary>The environment that points a sample's exporter here, flushing often so that tests wait little.</summary>
    public Dictionary<string, string?> ExporterEnvironment() => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
    };

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        OtlpReceiver? receiver = null;
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            foreach (var span in DecodeSpans(await ReadAsync(request)))
            {
                receiver!.Spans.Enqueue(span);
            }

            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/logs", async (HttpRequest request) =>
        {
            foreach (var log in DecodeLogs(await ReadAsync(request)))
            {
                receiver!.Logs.Enqueue(log);
            }

            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            await ReadAsync(request);
            Interlocked.Increment(ref receiver!._metricExports);
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver = new OtlpReceiver(app, new Uri(address));
        return receiver;
    }

    /// <summary>Waits (bounded) until the spans received satisfy <paramref name="done"/>.</summary>
    public async Task<IReadOnlyList<OtlpSpan>> WaitForSpansAsync(Func<IReadOnlyList<OtlpSpan>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var spans = Spans.ToArray();
            if (done(spans) || DateTime.UtcNow > deadline)
            {
                return spans;
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<byte[]> ReadAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    // ExportTraceServiceRequest { 1: ResourceSpans } ; ResourceSpans { 1: Resource, 2: ScopeSpans }
    // ScopeSpans { 1: InstrumentationScope, 2: Span } ; Span { 1: trace_id, 2: span_id, 4: parent_span_id, 5: name, 6: kind, 9: attributes }
    internal static IEnumerable<OtlpSpan> DecodeSpans(byte[] message)
    {
        foreach (var resourceSpans in Fields(message, 1))
        {
            var service = ServiceName(resourceSpans);
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                var scope = ScopeName(scopeSpans);
                foreach (var span in Fields(scopeSpans, 2))
                {
                    string traceId = "", spanId = "", parent = "", name = "";
                    var kind = 0;
                    var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var (number, value, varint) in Read(span))
                    {
                        switch (number)
                        {
                            case 1: traceId = Convert.ToHexStringLower(value.Span); break;
                            case 2: spanId = Convert.ToHexStringLower(value.Span); break;
                            case 4: parent = Convert.ToHexStringLower(value.Span); break;
                            case 5: name = Encoding.UTF8.GetString(value.Span); break;
                            case 6: kind = (int)varint; break;
                            case 9: AddAttribute(attributes, value); break;
                        }
                    }

                    yield return new OtlpSpan(service, scope, traceId, spanId, parent, name, kind, attributes);
                }
            }
        }
    }

    // ExportLogsServiceRequest { 1: ResourceLogs } ; ResourceLogs { 1: Resource, 2: ScopeLogs } ; ScopeLogs { 1: scope, 2: LogRecord }
    // LogRecord { 5: body (AnyValue), 9: trace_id, 10: span_id }
    internal static IEnumerable<OtlpLog> DecodeLogs(byte[] message)
    {
        foreach (var resourceLogs in Fields(message, 1))
        {
            var service = ServiceName(resourceLogs);
            foreach (var scopeLogs in Fields(resourceLogs, 2))
            {
                var scope = ScopeName(scopeLogs);
                foreach (var record in Fields(scopeLogs, 2))
                {
                    string traceId = "", spanId = "", body = "";
                    foreach (var (number, value, _) in Read(record))
                    {
                        switch (number)
                        {
                            case 5: body = StringValue(value); break;
                            case 9: traceId = Convert.ToHexStringLower(value.Span); break;
                            case 10: spanId = Convert.ToHexStringLower(value.Span); break;
                        }
                    }

                    yield return new OtlpLog(service, scope, traceId, spanId, body);
                }
            }
        }
    }

    private static string ServiceName(ReadOnlyMemory<byte> resourceContainer)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in Fields(resourceContainer, 1))
        {
            foreach (var keyValue in Fields(resource, 1))
            {
                AddAttribute(attributes, keyValue);
            }
        }

        return attributes.GetValueOrDefault("service.name", "");
    }

    private static string ScopeName(ReadOnlyMemory<byte> scopeContainer) =>
        Fields(scopeContainer, 1).Select(scope => Fields(scope, 1).Select(n => Encoding.UTF8.GetString(n.Span)).FirstOrDefault() ?? "").FirstOrDefault() ?? "";

    // KeyValue { 1: key, 2: AnyValue { 1: string_value, 2: bool, 3: int, 4: double } }
    private static void AddAttribute(Dictionary<string, string> attributes, ReadOnlyMemory<byte> keyValue)
    {
        string? key = null, value = null;
        foreach (var (number, bytes, _) in Read(keyValue))
        {
            if (number == 1)
            {
                key = Encoding.UTF8.GetString(bytes.Span);
            }
            else if (number == 2)
            {
                value = StringValue(bytes);
            }
        }

        if (key is not null)
        {
            attributes[key] = value ?? "";
        }
    }

    private static string StringValue(ReadOnlyMemory<byte> anyValue)
    {
        foreach (var (number, bytes, varint) in Read(anyValue))
        {
            switch (number)
            {
                case 1: return Encoding.UTF8.GetString(bytes.Span);
                case 2: return varint != 0 ? "true" : "false";
                case 3: return ((long)varint).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return "";
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Fields(ReadOnlyMemory<byte> message, int wanted) =>
        Read(message).Where(f => f.Number == wanted).Select(f => f.Value);

    /// <summary>The fields of a protobuf message: length-delimited ones as their bytes, varints as their value.</summary>
    private static List<(int Number, ReadOnlyMemory<byte> Value, ulong Varint)> Read(ReadOnlyMemory<byte> message)
    {
        var fields = new List<(int, ReadOnlyMemory<byte>, ulong)>();
        var span = message.Span;
        var position = 0;
        while (position < span.Length)
        {
            var tag = Varint(span, ref position);
            var number = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    fields.Add((number, ReadOnlyMemory<byte>.Empty, Varint(span, ref position)));
                    break;
                case 1:
                    fields.Add((number, message.Slice(position, 8), 0));
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(span, ref position);
                    fields.Add((number, message.Slice(position, length), 0));
                    position += length;
                    break;
                case 5:
                    fields.Add((number, message.Slice(position, 4), 0));
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {tag & 7} at byte {position}.");
            }
        }

        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = span[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}

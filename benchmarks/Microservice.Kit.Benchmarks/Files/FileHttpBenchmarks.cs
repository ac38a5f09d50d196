using System.Diagnostics;
using System.Net;
using BenchmarkDotNet.Attributes;
using Microservice.Kit.Files;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Benchmarks.Files;

/// <summary>
/// A 256 MiB upload and download through <c>MapFileEndpoints</c> on loopback, against a bare minimal API that
/// copies the raw request body to a <see cref="FileStream"/> and serves it with <c>Results.File</c>. Client and
/// server share the process; the peak working set of both is printed at the end (<c>// files-http</c> line):
/// it must stay far below the file size, which proves nothing is buffered whole.
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet owns the lifetime: [GlobalCleanup] disposes.
public class FileHttpBenchmarks
{
    private const long FileBytes = 256L * 1024 * 1024;

    private string _root = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "kit-bench-http-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.AddMicroserviceKit()
            .AddFileStore(o => o.MaxUploadBytes = 2 * FileBytes)
            .UseLocalDisk(o => o.RootPath = Path.Combine(_root, "store"));
        _app = builder.Build();
        _app.UseMicroserviceKit();
        _app.MapFileEndpoints("/api/v1/files");
        var plainPath = Path.Combine(_root, "plain.bin");
        _app.MapPost("/plain", async (HttpContext http) =>
        {
            http.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
            await using var file = new FileStream(plainPath, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true);
            await http.Request.Body.CopyToAsync(file, http.RequestAborted);
            return Results.Created("/plain", null);
        });
        _app.MapGet("/plain", () => Results.File(plainPath, "application/octet-stream", enableRangeProcessing: true));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };
        using (var started = Process.GetCurrentProcess())
        {
            Console.WriteLine($"// files-http peak working set before any transfer: {started.PeakWorkingSet64 / (1024 * 1024)} MiB");
        }

        // Both downloads need something to read before the first iteration.
        await KitUpload();
        await PlainUpload();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"// files-http peak working set: {process.PeakWorkingSet64 / (1024 * 1024)} MiB for a {FileBytes / (1024 * 1024)} MiB file");
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "plain upload: raw body -> FileStream")]
    public async Task PlainUpload()
    {
        using var response = await _client.PostAsync("/plain", new GeneratedContent(FileBytes));
        Expect(response, HttpStatusCode.Created);
    }

    [Benchmark(Description = "kit upload: multipart -> MapFileEndpoints")]
    public async Task KitUpload()
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("bench-256"), "file_id" },
            { new StringContent("true"), "overwrite" },
            { new GeneratedContent(FileBytes), "file", "bench.bin" },
        };
        using var response = await _client.PostAsync("/api/v1/files", form);
        Expect(response, HttpStatusCode.Created);
    }

    [Benchmark(Description = "plain download: Results.File")]
    public Task PlainDownload() => Download("/plain");

    [Benchmark(Description = "kit download: MapFileEndpoints")]
    public Task KitDownload() => Download("/api/v1/files/bench-256");

    private async Task Download(string path)
    {
        using var response = await _client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        Expect(response, HttpStatusCode.OK);
        await using var body = await response.Content.ReadAsStreamAsync();
        await body.CopyToAsync(Stream.Null);
    }

    private static void Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"Expected {status}, got {response.StatusCode}.");
        }
    }

    /// <summary>A body of the given length produced from one 1 MiB buffer, so the client holds no copy of the file.</summary>
    private sealed class GeneratedContent(long length) : HttpContent
    {
        private static readonly byte[] Chunk = CreateChunk();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var sent = 0L; sent < length; sent += Chunk.Length)
            {
                await stream.WriteAsync(Chunk.AsMemory(0, (int)Math.Min(Chunk.Length, length - sent)));
            }
        }

        protected override bool TryComputeLength(out long length1)
        {
            length1 = length;
            return true;
        }

        private static byte[] CreateChunk()
        {
            var chunk = new byte[1024 * 1024];
            new Random(7).NextBytes(chunk);
            return chunk;
        }
    }
}

using System.Net.Http.Json;
using BenchmarkDotNet.Attributes;
using Microservice.Kit.Clients;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Benchmarks.Clients;

/// <summary>
/// A GET of a small JSON document from a Kestrel host on loopback: the kit's <see cref="ServiceClient"/> (token
/// propagation off, retries, circuit breaker and timeouts on) against a plain <see cref="HttpClient"/> with
/// <c>ReadFromJsonAsync</c>. Target: the kit at most 1.15x the baseline's time.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup].")]
public class ServiceClientBenchmarks
{
    private WebApplication _server = null!;
    private ServiceProvider _provider = null!;
    private HttpClient _plain = null!;
    private ServiceClient _kit = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _server = builder.Build();
        _server.MapGet("/employees/{id:int}", (int id) => new Employee(id, "Ada Lovelace", "12 St James's Square, London", "engineering"));
        _server.StartAsync().GetAwaiter().GetResult();
        var address = new Uri(_server.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

        _plain = new HttpClient(new SocketsHttpHandler()) { BaseAddress = address };

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMicroserviceKit(o => o.ServiceName = "bench").AddServiceClient("employees", o => o.BaseAddress = address);
        _provider = services.BuildServiceProvider();
        _kit = _provider.GetRequiredKeyedService<ServiceClient>("employees");

        // Warm both connection pools so that neither pays for a connect inside a measured iteration, and run both
        // sides (and so the shared server code) long enough for tiered compilation to finish: in a --cpu-time
        // (in-process) run, whichever side is measured first would otherwise pay for the server's JIT.
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 1000; i++)
            {
                Plain().GetAwaiter().GetResult();
                Kit().GetAwaiter().GetResult();
            }

            Thread.Sleep(250);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.Dispose();
        _provider.Dispose();
        _server.StopAsync().GetAwaiter().GetResult();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "HttpClient GetAsync + ReadFromJsonAsync")]
    public async Task<Employee?> Plain()
    {
        using var response = await _plain.GetAsync(new Uri("/employees/42", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<Employee>();
    }

    [Benchmark(Description = "ServiceClient.GetAsync<T>")]
    public Task<Employee> Kit() => _kit.GetAsync<Employee>("/employees/42");

    public sealed record Employee(int Id, string Name, string Address, string Department);
}

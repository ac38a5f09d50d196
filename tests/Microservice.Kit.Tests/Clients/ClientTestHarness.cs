using System.Net;
using Microservice.Kit.Clients;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace Microservice.Kit.Tests.Clients;

/// <summary>A client-side container with one service client, fake logging and test-friendly short delays.</summary>
internal sealed class ClientTestHarness : IAsyncDisposable
{
    private ClientTestHarness(ServiceProvider provider, string name)
    {
        Provider = provider;
        Name = name;
    }

    public ServiceProvider Provider { get; }

    public string Name { get; }

    public FakeLogCollector Logs => Provider.GetFakeLogCollector();

    public ServiceClient Client => Provider.GetRequiredService<IServiceClientFactory>().CreateClient(Name);

    public static ClientTestHarness Create(
        Uri baseAddress,
        Action<ServiceClientOptions>? configure = null,
        Action<IServiceClientBuilder>? client = null,
        string name = "employees",
        Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddFakeLogging();
        var kit = collection.AddMicroserviceKit(o => o.ServiceName = "library");
        var builder = kit.AddServiceClient(name, o =>
        {
            o.BaseAddress = baseAddress;
            o.Retry.BaseDelay = TimeSpan.FromMilliseconds(10);
            o.AttemptTimeout = TimeSpan.FromSeconds(5);
            o.TotalTimeout = TimeSpan.FromSeconds(15);
            configure?.Invoke(o);
        });
        client?.Invoke(builder);
        services?.Invoke(collection);
        return new ClientTestHarness(collection.BuildServiceProvider(), name);
    }

    public int CountLogs(int eventId) => Logs.GetSnapshot().Count(r => r.Id.Id == eventId);

    public ValueTask DisposeAsync() => Provider.DisposeAsync();
}

/// <summary>A real Kestrel service on loopback that misbehaves on command.</summary>
internal static class TestService
{
    public static Task<KestrelTestHost> StartAsync(Action<WebApplication> map, int? port = null) =>
        KestrelTestHost.StartAsync(
            builder =>
            {
                if (port is { } fixedPort)
                {
                    builder.WebHost.UseUrls($"http://127.0.0.1:{fixedPort}");
                }
            },
            map);

    /// <summary>A port that nothing listens on: a service that is down.</summary>
    public static async Task<Uri> DownAddressAsync()
    {
        var host = await StartAsync(_ => { });
        var address = host.BaseAddress;
        await host.DisposeAsync();
        return address;
    }

    public static HttpStatusCode Status(int code) => (HttpStatusCode)code;
}

public sealed record Employee(int Id, string Name, string Address);

using System.Net;
using Microservice.Kit.Clients;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tests.Hosting;

/// <summary>A service client's base address may be a logical name, resolved from <c>Services:NAME:http:0</c>.</summary>
public sealed class KitServiceDiscoveryTests
{
    [Theory]
    [InlineData("http://inventory")]
    [InlineData("https+http://inventory")]
    public async Task ServiceClient_LogicalName_ResolvedFromServicesConfiguration(string baseAddress)
    {
        await using var inventory = await KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit(),
            app => app.MapGet("/items/{id:int}", (int id) => Results.Ok(new Item(id, "bolt"))));
        await using var caller = await KestrelTestHost.StartAsync(
            builder =>
            {
                builder.Configuration["Services:inventory:http:0"] = inventory.BaseAddress.ToString();
                builder.AddMicroserviceKit().AddServiceClient("inventory", o => o.BaseAddress = new Uri(baseAddress));
            },
            _ => { });

        var client = caller.Services.GetRequiredKeyedService<ServiceClient>("inventory");
        var item = await client.GetAsync<Item>("/items/7");

        Assert.Equal(new Item(7, "bolt"), item);
    }

    [Fact]
    public async Task ServiceClient_LogicalNameNotConfigured_FailsAsDependencyUnavailable_NotA500()
    {
        await using var caller = await KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit().AddServiceClient("inventory", o =>
            {
                o.BaseAddress = new Uri("https+http://inventory");
                o.Retry.MaxRetryAttempts = 0;
            }),
            _ => { });

        var client = caller.Services.GetRequiredKeyedService<ServiceClient>("inventory");
        // Nothing under Services:inventory: the name goes out as a host name, which does not resolve.
        var error = await Assert.ThrowsAsync<ServiceCallException>(() => client.GetAsync<Item>("/items/7"));

        Assert.Equal(ServiceCallFailure.ConnectionFailed, error.Failure);
    }

    [Theory]
    [InlineData("https+http://employees", true)]
    [InlineData("http+https://employees", true)]
    [InlineData("http://employees:8080", true)]
    [InlineData("ftp+http://employees", false)]
    [InlineData("ftp://employees", false)]
    public void BaseAddress_Scheme_AcceptedWhenServiceDiscoveryUnderstandsIt(string address, bool valid)
    {
        var services = new ServiceCollection();
        services.AddMicroserviceKit().AddServiceClient("employees", o => o.BaseAddress = new Uri(address));
        using var provider = services.BuildServiceProvider();

        var read = () => provider.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get("employees");

        if (valid)
        {
            Assert.Equal(new Uri(address), read().BaseAddress);
        }
        else
        {
            var error = Assert.Throws<OptionsValidationException>(read);
            Assert.Contains("MicroserviceKit:Clients:employees:BaseAddress must be an absolute http or https address", error.Message, StringComparison.Ordinal);
        }
    }

    private sealed record Item(int Id, string Name);
}

using System.Net;
using System.Net.Http.Json;
using Microservice.Kit.Data;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Tests.Data;

public sealed class EntityResultsTests
{
    [Fact]
    public async Task Created_Is201WithLocationETagAndBody_AndOk200WithETag()
    {
        await using var host = await KestrelTestHost.StartAsync(
            builder => builder.Services.AddRouting(),
            app =>
            {
                app.MapPost("/things", () => EntityResults.Created("/things/7", new Thing(7, "seven"), version: 3));
                app.MapGet("/things/7", () => EntityResults.Ok(new Thing(7, "seven"), version: 4));
            });

        using var created = await host.Client.PostAsync("/things", content: null);
        using var read = await host.Client.GetAsync("/things/7");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/things/7", created.Headers.Location?.OriginalString);
        Assert.Equal("\"3\"", created.Headers.ETag?.Tag);
        Assert.False(created.Headers.ETag!.IsWeak);
        Assert.Equal(new Thing(7, "seven"), await created.Content.ReadFromJsonAsync<Thing>());
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"4\"", read.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task Created_DeclaresItsStatusAndBodyTypeToTheEndpoint()
    {
        await using var host = await KestrelTestHost.StartAsync(
            builder => builder.Services.AddRouting(),
            app => app.MapPost("/things", () => EntityResults.Created("/things/7", new Thing(7, "seven"), version: 1)));

        var endpoint = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.Single(e => e.DisplayName!.Contains("/things", StringComparison.Ordinal));
        var produces = endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>();

        Assert.Contains(produces, p => p.StatusCode == StatusCodes.Status201Created && p.Type == typeof(Thing));
    }

    [Fact]
    public void Created_VersionZero_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EntityResults.Created("/things/7", new Thing(7, "seven"), version: 0));

    private sealed record Thing(int Id, string Name);
}

using System.Net;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Microservice.Kit.Tests.Tokens.Internal;

public sealed class AuthorizationPolicyCheckTests
{
    [Fact]
    public async Task Start_EndpointNamesUnknownPermissionShapedPolicy_RefusesNamingEndpointAndSuggestingRequirePermission()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(app =>
            app.MapGet("/files/{id}", (string id) => id).RequireAuthorization("files.read")));

        Assert.Contains("GET /files/{id}", failure.Message, StringComparison.Ordinal);
        Assert.Contains("'files.read'", failure.Message, StringComparison.Ordinal);
        Assert.Contains(".RequirePermission(\"files.read\")", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_EndpointNamesUnknownPolicy_RefusesSuggestingAddPolicy()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(app =>
        {
            var group = app.MapGroup("/admin").RequireAuthorization("AdminsOnly");
            group.MapGet("/stats", () => "stats");
        }));

        Assert.Contains("GET /admin/stats", failure.Message, StringComparison.Ordinal);
        Assert.Contains("'AdminsOnly'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("AddPolicy(\"AdminsOnly\"", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("RequirePermission", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_EveryPolicyKnown_StartsAndAuthorizes()
    {
        await using var host = await StartAsync(
            app =>
            {
                app.MapGet("/files", () => "files").RequirePermission("files.read");
                app.MapGet("/admin", () => "admin").RequireAuthorization("AdminsOnly");
                app.MapGet("/anyone", () => "anyone").RequireAuthorization();
                app.MapGet("/open", () => "open");
            },
            services => services.AddAuthorizationBuilder().AddPolicy("AdminsOnly", policy => policy.RequireAuthenticatedUser()));

        using var files = await host.Client.SendAsync(TokenTestHost.Get("/files", host.Issue("files.read")));
        using var admin = await host.Client.SendAsync(TokenTestHost.Get("/admin", host.Issue()));
        using var open = await host.Client.GetAsync(new Uri("/open", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, files.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }

    private static async Task<KestrelTestHost> StartAsync(Action<WebApplication> map, Action<IServiceCollection>? services = null)
    {
        WebApplication? built = null;
        try
        {
            return await KestrelTestHost.StartAsync(
                builder =>
                {
                    builder.AddMicroserviceKit(options => options.ServiceName = TokenTestHost.Issuer).AddTokenValidation().AddTokenIssuer();
                    services?.Invoke(builder.Services);
                },
                app =>
                {
                    built = app;
                    app.UseMicroserviceKit();
                    map(app);
                });
        }
        catch
        {
            // A host that refused to start still owns its services; dispose it before the test reports the failure.
            if (built is not null)
            {
                await built.DisposeAsync();
            }

            throw;
        }
    }
}

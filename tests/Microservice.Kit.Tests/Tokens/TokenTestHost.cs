using System.Net.Http.Headers;
using Microservice.Kit.Tests.Infrastructure;
using Microservice.Kit.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Microservice.Kit.Tests.Tokens;

/// <summary>A real loopback service that issues and validates tokens, with endpoints guarded in each supported way.</summary>
internal static class TokenTestHost
{
    public const string Issuer = "employees";

    public static Task<KestrelTestHost> StartAsync(Action<TokenOptions>? configure = null, TimeProvider? timeProvider = null, bool issue = true, Action<WebApplication>? configureApp = null) =>
        KestrelTestHost.StartAsync(
            builder =>
            {
                if (timeProvider is not null)
                {
                    builder.Services.AddSingleton(timeProvider);
                }

                var kit = builder.AddMicroserviceKit(options => options.ServiceName = Issuer);
                kit.AddTokenValidation(options =>
                {
                    options.TokenHeader = "X-Auth-Header";
                    configure?.Invoke(options);
                });
                if (issue)
                {
                    kit.AddTokenIssuer();
                }
            },
            app =>
            {
                configureApp?.Invoke(app);
                app.UseMicroserviceKit();
                app.MapKitEndpoints();
                app.MapGet("/me", (HttpContext context) => context.User.Identity!.Name).RequireAuthorization();
                app.MapGet("/employees", () => "created").RequirePermission("emp.create");
                app.MapGet("/by-policy", () => "created").RequireAuthorization("perm:emp.create");
            });

    public static HttpRequestMessage Get(string path, string? token, string header = "Authorization")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            if (header == "Authorization")
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(header, token);
            }
        }

        return request;
    }

    public static string Issue(this KestrelTestHost host, params string[] permissions) =>
        host.Services.GetRequiredService<ITokenIssuer>().Issue(new TokenRequest("alice") { Permissions = permissions }).AccessToken;
}

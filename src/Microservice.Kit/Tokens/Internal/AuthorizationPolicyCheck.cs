using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// Refuses to start a service whose endpoints name an authorization policy nobody registered. ASP.NET Core only looks a
/// policy up when a request reaches the endpoint, so <c>RequireAuthorization("files.read")</c> without such a policy
/// starts fine and then answers every caller with a 500.
/// </summary>
internal sealed partial class AuthorizationPolicyCheck : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        // After next: the application's pipeline is configured, so UseEndpoints has put every data source in the
        // composite EndpointDataSource that routing serves from.
        var endpoints = app.ApplicationServices.GetService<EndpointDataSource>();
        var provider = app.ApplicationServices.GetService<IAuthorizationPolicyProvider>();
        if (endpoints is not null && provider is not null)
        {
            Check(endpoints.Endpoints, provider);
        }
    };

    internal static void Check(IEnumerable<Endpoint> endpoints, IAuthorizationPolicyProvider provider)
    {
        var problems = new StringBuilder();
        foreach (var endpoint in endpoints)
        {
            foreach (var data in endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>())
            {
                if (string.IsNullOrEmpty(data.Policy))
                {
                    continue;
                }

                // The built-in and the kit's providers answer synchronously; this runs once, before the server listens.
                if (provider.GetPolicyAsync(data.Policy).GetAwaiter().GetResult() is not null)
                {
                    continue;
                }

                problems.Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"{Environment.NewLine}- endpoint '{endpoint.DisplayName ?? endpoint.ToString()}' requires the authorization policy '{data.Policy}', which is not registered.");
                if (PermissionShaped().IsMatch(data.Policy))
                {
                    problems.Append(System.Globalization.CultureInfo.InvariantCulture,
                        $" If '{data.Policy}' is a permission, use .RequirePermission(\"{data.Policy}\") instead of .RequireAuthorization(\"{data.Policy}\").");
                }
                else
                {
                    problems.Append(System.Globalization.CultureInfo.InvariantCulture,
                        $" Register it with AddAuthorization(options => options.AddPolicy(\"{data.Policy}\", ...)).");
                }
            }
        }

        if (problems.Length > 0)
        {
            throw new InvalidOperationException("The service cannot start: an endpoint names an authorization policy that does not exist." + problems);
        }
    }

    // A permission as services name them: emp.create, files.read, books:write.
    [GeneratedRegex("^[A-Za-z0-9_-]+([.:][A-Za-z0-9_-]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex PermissionShaped();
}

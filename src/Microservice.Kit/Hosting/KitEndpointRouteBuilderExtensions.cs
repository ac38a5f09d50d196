using Microservice.Kit.Hosting;
using Microservice.Kit.Hosting.Internal;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the endpoints every kit service has.</summary>
public static class KitEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the liveness and readiness endpoints (<c>/health/live</c>, <c>/health/ready</c> by default) and the
    /// endpoints of added features (the JWKS document of a service that issues tokens).
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <returns>A convention builder for all the kit's endpoints.</returns>
    /// <exception cref="InvalidOperationException"><c>AddMicroserviceKit</c> was not called.</exception>
    public static IEndpointConventionBuilder MapKitEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        KitGuard.EnsureAdded(endpoints.ServiceProvider, "app.MapKitEndpoints()");

        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<MicroserviceKitOptions>>().Value;
        var group = endpoints.MapGroup(string.Empty);
        group.MapHealthChecks(options.Health.LivePath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(KitHealthTags.Live),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).WithDisplayName("Kit liveness");
        group.MapHealthChecks(options.Health.ReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(KitHealthTags.Ready),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).WithDisplayName("Kit readiness");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var registration in endpoints.ServiceProvider.GetServices<KitEndpointRegistration>())
        {
            if (seen.Add(registration.Name))
            {
                registration.Map(group);
            }
        }

        return group;
    }
}

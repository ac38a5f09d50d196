using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Microservice.Kit.Hosting.Internal;

/// <summary>
/// A step that a feature adds to the request pipeline when the application calls <c>UseMicroserviceKit</c>.
/// Steps run in ascending <see cref="Order"/>, after the kit's exception handling. Features register it with
/// <c>TryAddEnumerable</c>-like care: a second step with the same <see cref="Name"/> is ignored.
/// </summary>
internal sealed record KitMiddlewareStep(int Order, string Name, Action<IApplicationBuilder> Configure);

/// <summary>
/// Endpoints that a feature adds when the application calls <c>MapKitEndpoints</c> (for example the JWKS
/// document of a service that issues tokens). A second registration with the same name is ignored.
/// </summary>
internal sealed record KitEndpointRegistration(string Name, Action<IEndpointRouteBuilder> Map);

/// <summary>The order of the kit's pipeline steps; features place their own between them.</summary>
internal static class KitPipelineOrder
{
    /// <summary>API version reading and reporting, before authentication so that version errors need no token.</summary>
    public const int Versioning = 100;

    /// <summary>Authentication.</summary>
    public const int Authentication = 200;

    /// <summary>Authorization, after authentication.</summary>
    public const int Authorization = 300;

    /// <summary>Endpoint rate limiting (the sign-in policy), after routing has chosen the endpoint and its policy.</summary>
    public const int RateLimiting = 350;
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Hosting.Internal;

internal sealed class MicroserviceKitBuilder(IServiceCollection services, IConfigurationSection? configuration) : IMicroserviceKitBuilder
{
    public IServiceCollection Services { get; } = services;

    public IConfigurationSection? Configuration { get; } = configuration;
}

/// <summary>Registered once by <c>AddMicroserviceKit</c>; its presence is how <c>Use</c>/<c>Map</c> know the kit was added.</summary>
internal sealed class KitMarker;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Hosting.Internal;

internal sealed class MicroserviceKitBuilder(IServiceCollection services, IConfigurationSection? configuration, bool bindsFromServiceProvider = false) : IMicroserviceKitBuilder
{
    public IServiceCollection Services { get; } = services;

    public IConfigurationSection? Configuration { get; } = configuration;

    /// <summary>
    /// Added by <c>services.AddMicroserviceKit()</c> when the collection's <see cref="IConfiguration"/> is registered
    /// by a factory (as every host builder does): options bind from the configuration the provider resolves, when
    /// they are first read, because there is no instance to read at registration time.
    /// </summary>
    public bool BindsFromServiceProvider { get; } = bindsFromServiceProvider;
}

/// <summary>Registered once by <c>AddMicroserviceKit</c>; its presence is how <c>Use</c>/<c>Map</c> know the kit was added.</summary>
internal sealed class KitMarker;

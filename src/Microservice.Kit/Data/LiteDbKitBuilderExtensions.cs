using Microservice.Kit.Data;
using Microservice.Kit.Data.Internal;
using Microservice.Kit.Hosting;
using Microservice.Kit.Hosting.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the LiteDB database to the kit: the embedded backend of the repositories (<c>AddRepository</c>).</summary>
public static class LiteDbKitBuilderExtensions
{
    private const string Section = "LiteDb";

    /// <summary>
    /// Makes LiteDB the backend of the service's repositories: the database (<see cref="LiteDbContext"/>, one per file
    /// for the process, checkpointed and closed on shutdown) with options from <c>MicroserviceKit:LiteDb</c>, and a
    /// readiness health check. Calling it again is harmless; a service has one backend.
    /// </summary>
    /// <param name="kit">The kit builder.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddLiteDb(this IMicroserviceKitBuilder kit)
    {
        ArgumentNullException.ThrowIfNull(kit);
        return AddCore(kit, configure: null);
    }

    /// <summary>Adds the LiteDB database with options from <c>MicroserviceKit:LiteDb</c>, then set in code.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="configure">Sets the options (<c>o =&gt; o.ConnectionString = ":memory:"</c>).</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddLiteDb(this IMicroserviceKitBuilder kit, Action<LiteDbOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(kit, configure);
    }

    /// <summary>Adds the LiteDB database with options bound from a configuration section of your choice.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="configuration">The section holding <see cref="LiteDbOptions"/>.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddLiteDb(this IMicroserviceKitBuilder kit, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(kit, configure: null);
        kit.Services.AddOptions<LiteDbOptions>().Bind(configuration);
        return kit;
    }

    private static IMicroserviceKitBuilder AddCore(IMicroserviceKitBuilder kit, Action<LiteDbOptions>? configure)
    {
        kit.AddKitOptions(Section, configure);
        var services = kit.Services;
        if (services.Any(d => d.ServiceType == typeof(LiteDbMarker)))
        {
            return kit;
        }

        services.AddSingleton<LiteDbMarker>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LiteDbOptions>>(new LiteDbOptionsValidator(kit.KeyOf(Section))));
        services.TryAddSingleton(provider => new LiteDbContext(
            provider.GetRequiredService<IOptions<LiteDbOptions>>().Value,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<ILoggerFactory>()));
        kit.AddDataBackend(provider => new LiteDbBackend(provider.GetRequiredService<LiteDbContext>()));
        kit.AddReadinessCheck<LiteDbHealthCheck>("litedb");
        return kit;
    }

    /// <summary>Registered once; its presence tells a second <c>AddLiteDb</c> that the services are in place.</summary>
    private sealed class LiteDbMarker;
}

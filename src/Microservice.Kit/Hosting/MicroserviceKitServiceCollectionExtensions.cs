using Microservice.Kit.Hosting;
using Microservice.Kit.Hosting.Internal;
using Microservice.Kit.Problems.Internal;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Microservice.Kit to a service collection.</summary>
public static class MicroserviceKitServiceCollectionExtensions
{
    /// <summary>
    /// Adds the kit, its options and every feature's bound from the <c>MicroserviceKit</c> section of the
    /// <see cref="IConfiguration"/> registered in <paramref name="services"/> (a host builder registers its
    /// configuration); with none registered, the options keep their defaults.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder on which to add the kit's features.</returns>
    /// <remarks>
    /// A configuration registered as an instance before this call is read now, exactly as
    /// <c>builder.AddMicroserviceKit()</c> reads the builder's. Otherwise (every host builder registers its
    /// configuration by a factory) the options bind from the <see cref="IConfiguration"/> the service provider
    /// resolves, when they are first read.
    /// </remarks>
    public static IMicroserviceKitBuilder AddMicroserviceKit(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddFromRegisteredConfiguration(services, configure: null);
    }

    /// <summary>
    /// Adds the kit, its options bound from the <c>MicroserviceKit</c> section of the registered
    /// <see cref="IConfiguration"/> (as <see cref="AddMicroserviceKit(IServiceCollection)"/> does) and then set in code.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options after configuration is bound.</param>
    /// <returns>A builder on which to add the kit's features.</returns>
    public static IMicroserviceKitBuilder AddMicroserviceKit(this IServiceCollection services, Action<MicroserviceKitOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddFromRegisteredConfiguration(services, configure);
    }

    /// <summary>Adds the kit with options bound from a configuration section (usually <c>MicroserviceKit</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The kit's section; features bind its sub-sections.</param>
    /// <returns>A builder on which to add the kit's features.</returns>
    public static IMicroserviceKitBuilder AddMicroserviceKit(this IServiceCollection services, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(services, configuration, configure: null);
    }

    // A worker that calls services.AddMicroserviceKit() expects its appsettings to apply, as they do for every
    // Microsoft.Extensions library; binding nothing would drop every setting without an error.
    private static IMicroserviceKitBuilder AddFromRegisteredConfiguration(IServiceCollection services, Action<MicroserviceKitOptions>? configure)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IConfiguration) && !d.IsKeyedService);
        return registered?.ImplementationInstance is IConfiguration configuration
            ? AddCore(services, configuration.GetSection(MicroserviceKitOptions.SectionName), configure, root: configuration)
            : AddCore(services, configuration: null, configure, bindsFromServiceProvider: true);
    }

    private static IConfiguration? RegisteredConfiguration(IServiceCollection services) =>
        services.LastOrDefault(d => d.ServiceType == typeof(IConfiguration) && !d.IsKeyedService)?.ImplementationInstance as IConfiguration;

    internal static IMicroserviceKitBuilder AddCore(IServiceCollection services, IConfigurationSection? configuration, Action<MicroserviceKitOptions>? configure, bool bindsFromServiceProvider = false, IConfiguration? root = null)
    {
        var builder = new MicroserviceKitBuilder(services, configuration, bindsFromServiceProvider);
        builder.AddKitOptions(subsection: null, configure)
            .PostConfigure<IServiceProvider>((options, provider) =>
                options.ServiceName ??= ServiceNames.FromApplicationName(provider.GetService<IHostEnvironment>()?.ApplicationName));

        if (services.Any(d => d.ServiceType == typeof(KitMarker)))
        {
            // Already added: options bind again (harmless), everything else is in place.
            return builder;
        }

        services.AddSingleton<KitMarker>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails(options =>
        {
            var previous = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                previous?.Invoke(context);
                ProblemFactory.Complete(context.ProblemDetails, context.HttpContext);
            };
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, KitExceptionHandler>());
        // Any OpenAPI document the service serves describes problem bodies as the kit writes them (with code).
        services.ConfigureAll<OpenApiOptions>(ProblemOpenApi.Configure);

        // Minimal APIs answer a binding failure (malformed JSON, wrong content type, a bad route value) with an
        // empty 400 and a log line unless told to throw; throwing lets the exception handler answer with a problem.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddHealthChecks();

        // Traces, metrics and logs (OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set) and logical service names in
        // client addresses (http://employees, resolved from Services:employees:http:0): what Aspire's service
        // defaults give, from this one call.
        KitTelemetry.Add(services, root ?? RegisteredConfiguration(services));
        services.AddServiceDiscovery();

        // ServiceDiscovery's configuration provider needs an IConfiguration; a bare ServiceCollection (a worker, a
        // test) may have none, and an empty one resolves nothing, exactly as no configuration would.
        services.TryAddSingleton<IConfiguration>(_ => new ConfigurationBuilder().Build());
        return builder;
    }
}

using Microservice.Kit.Hosting;
using Microservice.Kit.Hosting.Internal;
using Microservice.Kit.Versioning;
using Microservice.Kit.Versioning.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds API version negotiation to a kit service.</summary>
public static class ApiVersioningKitBuilderExtensions
{
    /// <summary>The configuration sub-section: <c>MicroserviceKit:Versioning</c>.</summary>
    public const string SectionName = "Versioning";

    /// <summary>Adds API versioning with options bound from <c>MicroserviceKit:Versioning</c>.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddApiVersioning(this IMicroserviceKitBuilder kit)
    {
        ArgumentNullException.ThrowIfNull(kit);
        return AddCore(kit, section: null, configure: null);
    }

    /// <summary>Adds API versioning with options bound from <c>MicroserviceKit:Versioning</c>, then set in code.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddApiVersioning(this IMicroserviceKitBuilder kit, Action<ApiVersioningOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(kit, section: null, configure);
    }

    /// <summary>Adds API versioning with options bound from the given section.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="configuration">The section to bind the options from.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddApiVersioning(this IMicroserviceKitBuilder kit, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(kit, configuration, configure: null);
    }

    private static IMicroserviceKitBuilder AddCore(IMicroserviceKitBuilder kit, IConfigurationSection? section, Action<ApiVersioningOptions>? configure)
    {
        var key = section?.Path ?? kit.KeyOf(SectionName);
        var options = kit.AddKitOptions(section is null ? SectionName : null, configure);
        if (section is not null)
        {
            options.Bind(section);
        }

        kit.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiVersioningOptions>>(new ApiVersioningOptionsValidator(key)));
        kit.Services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ApiVersionMatcherPolicy>());
        kit.Services.TryAddSingleton<ApiVersioningMarker>();
        kit.Services.AddSingleton(new KitMiddlewareStep(KitPipelineOrder.Versioning, "versioning.reporting", app => app.Use(ApiVersionReportingMiddleware.InvokeAsync)));
        kit.Services.AddSingleton(new ApiVersioningRegistration(section, configure));
        return kit;
    }
}

using Microservice.Kit.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Adds Microservice.Kit to an application builder, reading the <c>MicroserviceKit</c> configuration section.</summary>
public static class MicroserviceKitHostApplicationBuilderExtensions
{
    /// <summary>Adds the kit, its options bound from the <c>MicroserviceKit</c> configuration section.</summary>
    /// <param name="builder">The application builder.</param>
    /// <returns>A builder on which to add the kit's features.</returns>
    public static IMicroserviceKitBuilder AddMicroserviceKit(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return MicroserviceKitServiceCollectionExtensions.AddCore(
            builder.Services, builder.Configuration.GetSection(MicroserviceKitOptions.SectionName), configure: null, root: builder.Configuration);
    }

    /// <summary>Adds the kit, its options bound from the <c>MicroserviceKit</c> section and then set in code.</summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="configure">Sets the options after configuration is bound.</param>
    /// <returns>A builder on which to add the kit's features.</returns>
    public static IMicroserviceKitBuilder AddMicroserviceKit(this IHostApplicationBuilder builder, Action<MicroserviceKitOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return MicroserviceKitServiceCollectionExtensions.AddCore(
            builder.Services, builder.Configuration.GetSection(MicroserviceKitOptions.SectionName), configure, root: builder.Configuration);
    }
}

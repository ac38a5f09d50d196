using Microservice.Kit.Hosting.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Hosting;

/// <summary>
/// The extensibility API for packages that add a feature or a backend to the kit (<c>Microservice.Kit.PostgreSql</c>,
/// <c>Microservice.Kit.S3</c>): options bound and validated the kit's way, readiness checks and start-up tasks, the
/// same helpers the kit's own features use.
/// </summary>
public static class MicroserviceKitBuilderExtensions
{
    /// <summary>
    /// Registers a feature's options the kit's way: bound from <c>MicroserviceKit:{subsection}</c> (or the kit's own
    /// section), then set by <paramref name="configure"/>, then validated when the host starts with their data
    /// annotations, each message naming the full configuration key (<c>MicroserviceKit:PostgreSql:CommandTimeout</c>).
    /// Add an <see cref="IValidateOptions{TOptions}"/> for rules that span several members.
    /// </summary>
    /// <typeparam name="TOptions">The options class.</typeparam>
    /// <param name="kit">The kit builder.</param>
    /// <param name="subsection">The sub-section of the kit's configuration (<c>PostgreSql</c>).</param>
    /// <param name="configure">Sets the options in code after configuration is bound, or <see langword="null"/>.</param>
    /// <returns>The options builder, to chain more configuration or validation.</returns>
    public static OptionsBuilder<TOptions> AddFeatureOptions<TOptions>(this IMicroserviceKitBuilder kit, string subsection, Action<TOptions>? configure = null)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentException.ThrowIfNullOrEmpty(subsection);
        return kit.AddKitOptions(subsection, configure);
    }

    /// <summary>The full configuration key of a sub-section of the kit's configuration, for validation messages (<c>MicroserviceKit:PostgreSql</c>).</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="subsection">The sub-section.</param>
    /// <returns>The key.</returns>
    public static string GetConfigurationKey(this IMicroserviceKitBuilder kit, string subsection)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentException.ThrowIfNullOrEmpty(subsection);
        return kit.KeyOf(subsection);
    }

    /// <summary>
    /// Adds a health check that runs on <c>/health/ready</c> (tagged <see cref="KitHealthTags.Ready"/>): the service is not
    /// ready while it fails. Adding the same name twice is harmless.
    /// </summary>
    /// <typeparam name="THealthCheck">The check; resolved from the services, so it may take dependencies.</typeparam>
    /// <param name="kit">The kit builder.</param>
    /// <param name="name">The check's name in the health report (<c>postgresql</c>).</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddReadinessCheck<THealthCheck>(this IMicroserviceKitBuilder kit, string name)
        where THealthCheck : class, IHealthCheck
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var registry = kit.Services.GetOrAddInstance<ReadinessCheckNames>();
        if (registry.Names.Add(name))
        {
            kit.Services.AddHealthChecks().AddCheck<THealthCheck>(name, tags: [KitHealthTags.Ready]);
        }

        return kit;
    }

    /// <summary>
    /// Adds work that must finish before the service accepts requests (<see cref="IKitStartupTask"/>). Tasks run once, in
    /// registration order, while the host starts; adding the same type twice runs it once.
    /// </summary>
    /// <typeparam name="TTask">The task; resolved from the services.</typeparam>
    /// <param name="kit">The kit builder.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddStartupTask<TTask>(this IMicroserviceKitBuilder kit)
        where TTask : class, IKitStartupTask
    {
        ArgumentNullException.ThrowIfNull(kit);
        kit.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IKitStartupTask, TTask>());
        kit.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, KitStartupTaskRunner>());
        return kit;
    }
}

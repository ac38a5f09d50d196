using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Hosting.Internal;

/// <summary>
/// The one way every feature registers its options: bound from its sub-section of the kit's configuration,
/// then the code's <c>Action&lt;T&gt;</c>, then validated on start with messages that name the full key.
/// </summary>
internal static class KitOptionsRegistration
{
    public static OptionsBuilder<TOptions> AddKitOptions<TOptions>(this IMicroserviceKitBuilder kit, string? subsection, Action<TOptions>? configure = null)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(kit);
        var section = subsection is null ? kit.Configuration : kit.Configuration?.GetSection(subsection);
        var path = section?.Path
            ?? (subsection is null ? MicroserviceKitOptions.SectionName : MicroserviceKitOptions.SectionName + ":" + subsection);

        var builder = kit.Services.AddOptionsWithValidateOnStart<TOptions>();
        if (section is not null)
        {
            builder.Bind(section);
        }
        else
        {
            builder.BindFromServiceProvider(kit, path);
        }

        if (configure is not null)
        {
            builder.Configure(configure);
        }

        kit.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(
            new KeyedDataAnnotationsValidator<TOptions>(Options.DefaultName, path)));
        return builder;
    }

    /// <summary>
    /// The named counterpart, for a feature with several instances (service clients, file stores): the options named
    /// <paramref name="name"/>, <paramref name="defaults"/> first, then bound from <paramref name="section"/> (or else
    /// <c>{subsection}:{name}</c> of the kit's configuration), then the code's <c>Action&lt;T&gt;</c>. Call
    /// <see cref="ValidateKitOptionsOnStart"/> once per name.
    /// </summary>
    public static OptionsBuilder<TOptions> AddKitOptions<TOptions>(
        this IMicroserviceKitBuilder kit, string subsection, string name, IConfigurationSection? section, Action<TOptions>? configure, Action<TOptions>? defaults = null)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(kit);
        section ??= kit.Configuration?.GetSection(subsection + ":" + name);
        var builder = kit.Services.AddOptions<TOptions>(name);
        if (defaults is not null)
        {
            builder.Configure(defaults);
        }

        if (section is not null)
        {
            builder.Bind(section);
        }
        else
        {
            builder.BindFromServiceProvider(kit, kit.KeyOf(subsection, name, section: null));
        }

        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return builder;
    }

    // Registered in the place of Bind, so that configuration still comes before the code's Action<T>.
    internal static void BindFromServiceProvider<TOptions>(this OptionsBuilder<TOptions> builder, IMicroserviceKitBuilder kit, string path)
        where TOptions : class
    {
        if (kit is MicroserviceKitBuilder { BindsFromServiceProvider: true })
        {
            builder.Configure<IServiceProvider>((options, provider) => provider.GetService<IConfiguration>()?.GetSection(path).Bind(options));
        }
    }

    /// <summary>Validates named options on start (data annotations), with messages that name <paramref name="key"/>.</summary>
    public static OptionsBuilder<TOptions> ValidateKitOptionsOnStart<TOptions>(this OptionsBuilder<TOptions> builder, string key)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ValidateOnStart();

        // A factory, not an instance: the unnamed options' validator is added with TryAddEnumerable, which skips an
        // implementation type that is already registered, and an instance registers its own type.
        var name = builder.Name;
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(_ => new KeyedDataAnnotationsValidator<TOptions>(name, key));
        return builder;
    }

    /// <summary>The configuration key of a named instance's options, as <see cref="AddKitOptions{TOptions}(IMicroserviceKitBuilder, string, string, IConfigurationSection?, Action{TOptions}?, Action{TOptions}?)"/> binds them.</summary>
    public static string KeyOf(this IMicroserviceKitBuilder kit, string subsection, string name, IConfigurationSection? section) =>
        section?.Path ?? kit.KeyOf(subsection + ":" + name);

    /// <summary>
    /// The one instance of <typeparamref name="T"/> kept in the service collection (a feature's registry of what its
    /// <c>Add</c> calls registered), added on the first call.
    /// </summary>
    public static T GetOrAddInstance<T>(this IServiceCollection services)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(T) && descriptor.ImplementationInstance is T existing)
            {
                return existing;
            }
        }

        var instance = new T();
        services.AddSingleton(instance);
        return instance;
    }

    /// <summary>The configuration key of a sub-section, for messages of hand-written validators.</summary>
    public static string KeyOf(this IMicroserviceKitBuilder kit, string subsection) =>
        kit.Configuration?.GetSection(subsection).Path ?? MicroserviceKitOptions.SectionName + ":" + subsection;
}

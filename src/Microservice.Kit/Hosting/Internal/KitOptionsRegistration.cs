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

        if (configure is not null)
        {
            builder.Configure(configure);
        }

        kit.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(
            new KeyedDataAnnotationsValidator<TOptions>(Options.DefaultName, path)));
        return builder;
    }

    /// <summary>The configuration key of a sub-section, for messages of hand-written validators.</summary>
    public static string KeyOf(this IMicroserviceKitBuilder kit, string subsection) =>
        kit.Configuration?.GetSection(subsection).Path ?? MicroserviceKitOptions.SectionName + ":" + subsection;
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Hosting;

/// <summary>
/// Returned by <c>AddMicroserviceKit</c>; each feature of the kit adds itself through an extension method
/// on it (<c>AddTokens</c>, <c>AddLiteDb</c>, <c>AddFileStore</c>, ...).
/// </summary>
public interface IMicroserviceKitBuilder
{
    /// <summary>The service collection the kit registers into.</summary>
    IServiceCollection Services { get; }

    /// <summary>
    /// The kit's configuration section (<c>MicroserviceKit</c> by default), or <see langword="null"/> when the
    /// kit was added without a configuration instance (<c>services.AddMicroserviceKit()</c> on a collection whose
    /// <c>IConfiguration</c> is registered by a factory binds when the options are first read). Features bind their
    /// own sub-section of it.
    /// </summary>
    IConfigurationSection? Configuration { get; }
}

using Microservice.Kit.Versioning;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Makes an <c>HttpClient</c> ask for, negotiate and watch the API versions of the service it calls.</summary>
public static class ApiVersionHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds an <see cref="ApiVersionHandler"/> to the client: it writes the version (header, query string or URL
    /// segment), negotiates the highest version both sides support, retries once on <c>UnsupportedApiVersion</c>, and
    /// reports deprecated or sunset APIs. What servers support is shared through the singleton <see cref="ApiVersionDiscovery"/>.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Sets the versions the client understands and where they go.</param>
    /// <returns>The client builder.</returns>
    public static IHttpClientBuilder AddApiVersion(this IHttpClientBuilder builder, Action<ApiVersionClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.TryAddSingleton(provider => new ApiVersionDiscovery(provider.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.AddOptions<ApiVersionClientOptions>(builder.Name).Configure(configure);
        var name = builder.Name;
        builder.AddHttpMessageHandler(provider => new ApiVersionHandler(
            provider.GetRequiredService<IOptionsMonitor<ApiVersionClientOptions>>().Get(name),
            provider.GetRequiredService<ApiVersionDiscovery>(),
            provider.GetService<ILogger<ApiVersionHandler>>()));
        return builder;
    }
}

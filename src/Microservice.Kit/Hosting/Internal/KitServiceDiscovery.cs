using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Hosting.Internal;

/// <summary>
/// Logical service names in the kit's outgoing addresses (<c>http://employees</c>, <c>https+http://employees</c>),
/// resolved by Microsoft.Extensions.ServiceDiscovery from configuration (<c>Services:employees:http:0</c>), the
/// convention Aspire uses.
/// </summary>
internal static class KitServiceDiscovery
{
    /// <summary>
    /// Whether an address is a scheme ServiceDiscovery understands: <c>http</c>, <c>https</c>, or a preference list
    /// of them joined by <c>+</c> (<c>https+http</c>: https when the name has an https endpoint, else http).
    /// </summary>
    public static bool IsSupported(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsAbsoluteUri
            && address.Scheme.Split('+').All(scheme => scheme is "http" or "https");
    }

    /// <summary>
    /// Whether calls to <paramref name="address"/> go through discovery: its scheme is a preference list, or
    /// configuration names endpoints for its host under <c>Services</c>. Any other address (an IP, a DNS name)
    /// is used as it is, without a resolver in the path.
    /// </summary>
    public static bool Applies(Uri? address, IConfiguration? configuration) =>
        address is { IsAbsoluteUri: true }
        && (address.Scheme.Contains('+', StringComparison.Ordinal)
            || (configuration?.GetSection("Services").GetSection(address.Host).Exists() ?? false));

    /// <summary>
    /// Adds ServiceDiscovery's resolving handler at this point of the client's handlers, and takes it out again
    /// when the client's address (read when the handlers are built) names no service to resolve: an address such as
    /// <c>http://10.0.0.5:8080</c> then costs no resolver lookup and no rewritten <see cref="Uri"/> per request.
    /// </summary>
    public static IHttpClientBuilder AddServiceDiscovery(IHttpClientBuilder http, Func<IServiceProvider, Uri?> address)
    {
        http.AddServiceDiscovery();
        return http.ConfigureAdditionalHttpMessageHandlers((handlers, provider) =>
        {
            // The handler's type is internal to the package: matched by name, and when a later version renames it the
            // handler simply stays (calls still resolve, at the small cost this skips).
            if (handlers.Count > 0 && handlers[^1].GetType().Name == "ResolvingHttpDelegatingHandler"
                && !Applies(address(provider), provider.GetService<IConfiguration>()))
            {
                var resolver = handlers[^1];
                handlers.RemoveAt(handlers.Count - 1);
                resolver.Dispose();
            }
        });
    }
}

using Microsoft.Extensions.Options;

namespace Microservice.Kit.Clients.Internal;

/// <summary>Creates <see cref="ServiceClient"/>s over the named <see cref="HttpClient"/>s that <c>AddServiceClient</c> configured.</summary>
internal sealed class ServiceClientFactory(IHttpClientFactory httpClients, IOptionsMonitor<ServiceClientOptions> options, ServiceClientRegistry registry) : IServiceClientFactory
{
    public ServiceClient CreateClient(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!registry.Contains(name))
        {
            throw new InvalidOperationException($"No service client named '{name}' was added: call kit.AddServiceClient(\"{name}\", ...) first.");
        }

        return new ServiceClient(name, httpClients.CreateClient(HttpClientName(name)), options.Get(name));
    }

    /// <summary>The <see cref="IHttpClientFactory"/> name of a service client, prefixed so that it cannot clash with the application's own clients.</summary>
    public static string HttpClientName(string name) => "Microservice.Kit.Clients." + name;
}

/// <summary>The names of the added service clients; a second <c>AddServiceClient</c> with a known name only adds configuration.</summary>
internal sealed class ServiceClientRegistry
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public bool Add(string name)
    {
        lock (_names)
        {
            return _names.Add(name);
        }
    }

    public bool Contains(string name)
    {
        lock (_names)
        {
            return _names.Contains(name);
        }
    }
}

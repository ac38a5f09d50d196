using System.Net.Http.Headers;
using Microservice.Kit.Clients;
using Microservice.Kit.Clients.Internal;
using Microservice.Kit.Hosting;
using Microservice.Kit.Hosting.Internal;
using Microservice.Kit.Tokens;
using Microservice.Kit.Versioning;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds clients for calling other services to the kit.</summary>
public static class ServiceClientKitBuilderExtensions
{
    private const string LoggerCategory = "Microservice.Kit.Clients";

    /// <summary>Adds the service client <paramref name="name"/>, its options bound from <c>MicroserviceKit:Clients:&lt;name&gt;</c>.</summary>
    /// <param name="kit">The kit's builder.</param>
    /// <param name="name">The client's name: letters, digits, <c>.</c>, <c>-</c> or <c>_</c>.</param>
    /// <returns>The client's builder, to set its token source or add handlers.</returns>
    public static IServiceClientBuilder AddServiceClient(this IMicroserviceKitBuilder kit, string name)
    {
        ArgumentNullException.ThrowIfNull(kit);
        return AddCore(kit, name, section: null, configure: null);
    }

    /// <summary>Adds the service client <paramref name="name"/>, its options bound from <c>MicroserviceKit:Clients:&lt;name&gt;</c> and then set in code.</summary>
    /// <param name="kit">The kit's builder.</param>
    /// <param name="name">The client's name: letters, digits, <c>.</c>, <c>-</c> or <c>_</c>.</param>
    /// <param name="configure">Sets the options after configuration is bound.</param>
    /// <returns>The client's builder, to set its token source or add handlers.</returns>
    public static IServiceClientBuilder AddServiceClient(this IMicroserviceKitBuilder kit, string name, Action<ServiceClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(kit, name, section: null, configure);
    }

    /// <summary>Adds the service client <paramref name="name"/>, its options bound from the given section.</summary>
    /// <param name="kit">The kit's builder.</param>
    /// <param name="name">The client's name: letters, digits, <c>.</c>, <c>-</c> or <c>_</c>.</param>
    /// <param name="configuration">The section holding the client's options; validation messages name its keys.</param>
    /// <returns>The client's builder, to set its token source or add handlers.</returns>
    public static IServiceClientBuilder AddServiceClient(this IMicroserviceKitBuilder kit, string name, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(kit, name, configuration, configure: null);
    }

    /// <summary>
    /// Adds the service client <paramref name="name"/> and the typed client <typeparamref name="TClient"/>, a class
    /// whose constructor takes a <see cref="ServiceClient"/> (and any registered services); inject
    /// <typeparamref name="TClient"/> where the service is called.
    /// </summary>
    /// <typeparam name="TClient">The typed client.</typeparam>
    /// <param name="kit">The kit's builder.</param>
    /// <param name="name">The client's name: letters, digits, <c>.</c>, <c>-</c> or <c>_</c>.</param>
    /// <returns>The client's builder, to set its token source or add handlers.</returns>
    public static IServiceClientBuilder AddServiceClient<TClient>(this IMicroserviceKitBuilder kit, string name)
        where TClient : class
    {
        ArgumentNullException.ThrowIfNull(kit);
        return AddTyped<TClient>(AddCore(kit, name, section: null, configure: null));
    }

    /// <summary>Adds the service client <paramref name="name"/>, its options set in code too, and the typed client <typeparamref name="TClient"/>.</summary>
    /// <typeparam name="TClient">The typed client: a class whose constructor takes a <see cref="ServiceClient"/>.</typeparam>
    /// <param name="kit">The kit's builder.</param>
    /// <param name="name">The client's name: letters, digits, <c>.</c>, <c>-</c> or <c>_</c>.</param>
    /// <param name="configure">Sets the options after configuration is bound.</param>
    /// <returns>The client's builder, to set its token source or add handlers.</returns>
    public static IServiceClientBuilder AddServiceClient<TClient>(this IMicroserviceKitBuilder kit, string name, Action<ServiceClientOptions> configure)
        where TClient : class
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(configure);
        return AddTyped<TClient>(AddCore(kit, name, section: null, configure));
    }

    private static ServiceClientBuilder AddTyped<TClient>(ServiceClientBuilder builder)
        where TClient : class
    {
        var name = builder.Name;
        var create = ActivatorUtilities.CreateFactory<TClient>([typeof(ServiceClient)]);
        builder.Services.TryAddTransient(provider => create(provider, [provider.GetRequiredService<IServiceClientFactory>().CreateClient(name)]));
        return builder;
    }

    private static ServiceClientBuilder AddCore(IMicroserviceKitBuilder kit, string name, IConfigurationSection? section, Action<ServiceClientOptions>? configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            throw new ArgumentException($"Service client name '{name}' must be letters, digits, '.', '-' or '_' (it is a configuration key).", nameof(name));
        }

        var services = kit.Services;
        var key = kit.KeyOf(ServiceClientOptions.SectionName, name, section);
        var options = kit.AddKitOptions(ServiceClientOptions.SectionName, name, section, configure);
        var http = services.AddHttpClient(ServiceClientFactory.HttpClientName(name));
        var builder = new ServiceClientBuilder(name, services, http);
        if (!services.GetOrAddInstance<ServiceClientRegistry>().Add(name))
        {
            // Added before: the configuration above applies again (harmless); the pipeline is already in place.
            return builder;
        }

        options.ValidateKitOptionsOnStart(key);
        services.AddSingleton<IValidateOptions<ServiceClientOptions>>(provider =>
            new ServiceClientOptionsValidator(name, key, provider.GetRequiredService<IServiceProviderIsKeyedService>()));
        services.AddHttpContextAccessor();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IServiceClientFactory, ServiceClientFactory>();
        services.TryAddKeyedTransient(name, (provider, _) => provider.GetRequiredService<IServiceClientFactory>().CreateClient(name));

        http.ConfigureHttpClient((provider, client) =>
            {
                var current = provider.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get(name);
                client.BaseAddress = current.BaseAddress;

                // The resilience pipeline owns every timeout; HttpClient's own 100 s default would otherwise cut
                // through a longer total timeout, or fire first and surface as a bare TaskCanceledException.
                client.Timeout = Timeout.InfiniteTimeSpan;
                if (provider.GetService<IOptions<MicroserviceKitOptions>>()?.Value.ServiceName is { Length: > 0 } serviceName)
                {
                    client.DefaultRequestHeaders.UserAgent.TryParseAdd(serviceName);
                }
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A redirect could carry a token-bearing request to a host the client was not configured for.
                AllowAutoRedirect = false,

                // Re-resolve DNS now and then so that a service that moves is found again.
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            .AddHttpMessageHandler(provider => CreateCallHandler(provider, name, key));

        // IHttpClientFactory's own request logging writes the full URI, query included (where tokens and keys
        // sometimes travel), at Information on every call; the client logs each attempt itself, without the query.
        http.RemoveAllLoggers();

        // The circuits live as long as the container: IHttpClientFactory rebuilds the handlers every two minutes,
        // and a circuit must not close because the handler was replaced.
        services.AddKeyedSingleton(name, (provider, _) => new ServiceClientCircuits(
            name,
            provider.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get(name),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger(LoggerCategory)));

        // The version handler goes in only when the client is configured with versions, so that a client that
        // sends none pays nothing for it. It sits inside the retries: each attempt carries the negotiated version.
        services.TryAddSingleton(provider => new ApiVersionDiscovery(provider.GetRequiredService<TimeProvider>()));
        http.ConfigureAdditionalHttpMessageHandlers((handlers, provider) =>
        {
            var versions = provider.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get(name).ApiVersion;
            if (versions.Versions.Count > 0)
            {
                handlers.Add(new ApiVersionHandler(
                    new ApiVersionClientOptions
                    {
                        Versions = versions.Versions,
                        Location = versions.Location,
                        ParameterName = versions.ParameterName,
                        Negotiate = versions.Negotiate,
                    },
                    provider.GetRequiredService<ApiVersionDiscovery>(),
                    provider.GetService<ILogger<ApiVersionHandler>>()));
            }
        });

        // Innermost, so that the retries, circuits and versions above see the logical name (http://employees) and
        // each attempt resolves it again; an address that names no configured service gets no resolver at all.
        KitServiceDiscovery.AddServiceDiscovery(http, provider => provider.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get(name).BaseAddress);
        return builder;
    }

    private static ServiceCallHandler CreateCallHandler(IServiceProvider provider, string name, string key)
    {
        var options = provider.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get(name);
        var accessor = provider.GetService<IHttpContextAccessor>();
        ITokenSource? tokenSource = options.Token.Mode switch
        {
            // Unset, the fallback header is the one this service's own token validation reads: a token is passed on
            // only from where the service would have accepted it.
            ServiceClientTokenMode.Propagate => new IncomingRequestTokenSource(accessor!,
                options.Token.IncomingHeader ?? provider.GetService<IOptions<TokenOptions>>()?.Value.TokenHeader),
            ServiceClientTokenMode.Source => provider.GetKeyedService<ITokenSource>(name) ?? provider.GetService<ITokenSource>()
                ?? throw new InvalidOperationException($"{key}:Token:Mode is Source but no ITokenSource is registered for client '{name}'."),
            _ => null,
        };
        return new ServiceCallHandler(name, options, provider.GetRequiredKeyedService<ServiceClientCircuits>(name), tokenSource, accessor,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger(LoggerCategory));
    }
}

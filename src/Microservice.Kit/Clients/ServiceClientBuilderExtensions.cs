using Microservice.Kit.Clients;
using Microservice.Kit.Clients.Internal;
using Microservice.Kit.Tokens;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures a service client added with <c>AddServiceClient</c>.</summary>
public static class ServiceClientBuilderExtensions
{
    /// <summary>
    /// Passes the incoming request's token on to the service: <c>Authorization: Bearer</c>, or else the header named
    /// by <see cref="ServiceClientTokenOptions.IncomingHeader"/>. Same as <c>Token:Mode = Propagate</c> in configuration.
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <returns>The client's builder.</returns>
    public static IServiceClientBuilder PropagateIncomingToken(this IServiceClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<ServiceClientOptions>(builder.Name, options => options.Token.Mode = ServiceClientTokenMode.Propagate);
        return builder;
    }

    /// <summary>Attaches the token of the given source to the client's calls (<c>Token:Mode = Source</c>).</summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="factory">Creates the source, once.</param>
    /// <returns>The client's builder.</returns>
    public static IServiceClientBuilder AddTokenSource(this IServiceClientBuilder builder, Func<IServiceProvider, ITokenSource> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.RemoveAllKeyed<ITokenSource>(builder.Name);
        builder.Services.AddKeyedSingleton(builder.Name, (provider, _) => factory(provider));
        builder.Services.Configure<ServiceClientOptions>(builder.Name, options => options.Token.Mode = ServiceClientTokenMode.Source);
        return builder;
    }

    /// <summary>Attaches the token of a <typeparamref name="TSource"/>, created from the container once.</summary>
    /// <typeparam name="TSource">The token source.</typeparam>
    /// <param name="builder">The client's builder.</param>
    /// <returns>The client's builder.</returns>
    public static IServiceClientBuilder AddTokenSource<TSource>(this IServiceClientBuilder builder)
        where TSource : class, ITokenSource =>
        builder.AddTokenSource(provider => ActivatorUtilities.GetServiceOrCreateInstance<TSource>(provider));

    /// <summary>
    /// Attaches a token obtained from <paramref name="acquire"/> and cached until shortly before it expires
    /// (a <see cref="CachedTokenSource"/>).
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="acquire">Obtains a new token and its expiry.</param>
    /// <returns>The client's builder.</returns>
    public static IServiceClientBuilder AddTokenSource(this IServiceClientBuilder builder, Func<CancellationToken, ValueTask<ServiceToken>> acquire)
    {
        ArgumentNullException.ThrowIfNull(acquire);
        return builder.AddTokenSource(provider => new CachedTokenSource(acquire, provider.GetService<TimeProvider>()));
    }

    /// <summary>
    /// Attaches a service token that this service issues to itself with the kit's <see cref="ITokenIssuer"/>
    /// (added by <c>AddTokenIssuer()</c>), cached until shortly before it expires: for calls made on the service's
    /// own behalf rather than a caller's.
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="request">The subject, permissions and lifetime of the token to issue.</param>
    /// <returns>The client's builder.</returns>
    /// <exception cref="InvalidOperationException">When the first call is made and no <see cref="ITokenIssuer"/> is registered.</exception>
    public static IServiceClientBuilder AddIssuedToken(this IServiceClientBuilder builder, TokenRequest request)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(request);
        return builder.AddTokenSource(provider =>
        {
            var issuer = provider.GetService<ITokenIssuer>() ?? throw new InvalidOperationException(
                $"Service client '{builder.Name}' issues its own token, but no ITokenIssuer is registered: call AddTokenIssuer() on the kit's builder.");
            return new CachedTokenSource(
                _ =>
                {
                    var token = issuer.Issue(request);
                    return new ValueTask<ServiceToken>(new ServiceToken(token.AccessToken, token.ExpiresAt));
                },
                provider.GetService<TimeProvider>());
        });
    }

    /// <summary>
    /// Attaches a token this service obtains for itself from another service's token endpoint with the client-credentials
    /// grant (a <see cref="ClientCredentialsTokenSource"/>: cached, renewed before it expires, one request at a time), for
    /// calls made on the service's own behalf. Settings are bound from
    /// <c>MicroserviceKit:Clients:&lt;name&gt;:Token:ClientCredentials</c> (<c>TokenEndpoint</c>, <c>ClientId</c>,
    /// <c>ClientSecret</c>, <c>Scope</c>) and then <paramref name="configure"/>; missing ones stop the service at start.
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="configure">Sets the grant's options after configuration is bound, or <see langword="null"/>.</param>
    /// <returns>The client's builder.</returns>
    public static IServiceClientBuilder UseClientCredentials(this IServiceClientBuilder builder, Action<ClientCredentialsTokenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var name = builder.Name;
        var httpName = ClientCredentialsHttpClientPrefix + name;
        // The token endpoint may be on a service name (https+http://employees/api/v1/tokens), resolved like the client's
        // own address; the resolver stays out of the client when it is a plain address.
        Microservice.Kit.Hosting.Internal.KitServiceDiscovery.AddServiceDiscovery(
            builder.Services.AddHttpClient(httpName, client =>
            {
                client.Timeout = TimeSpan.FromSeconds(10);
                client.MaxResponseContentBufferSize = 64 * 1024;
            }),
            provider => provider.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get(name).Token.ClientCredentials.TokenEndpoint);
        if (configure is not null)
        {
            builder.Services.Configure<ServiceClientOptions>(name, options => configure(options.Token.ClientCredentials));
        }

        builder.Services.AddSingleton<IValidateOptions<ServiceClientOptions>>(new ClientCredentialsOptionsValidator(name));
        return builder.AddTokenSource(provider =>
        {
            var options = provider.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get(name).Token.ClientCredentials;
            var factory = provider.GetRequiredService<IHttpClientFactory>();
            return new ClientCredentialsTokenSource(() => factory.CreateClient(httpName), options, provider.GetService<TimeProvider>());
        });
    }

    private const string ClientCredentialsHttpClientPrefix = "Microservice.Kit.Clients.TokenEndpoint.";

    /// <summary>
    /// Configures the underlying <see cref="HttpClient"/> further, for example to add the API version handler:
    /// <c>.ConfigureHttpClient(http =&gt; http.AddApiVersion("2.0"))</c>. Handlers added here run on every attempt.
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="configure">Configures the <see cref="IHttpClientBuilder"/>.</param>
    /// <returns>The client's builder.</returns>
    public static IServiceClientBuilder ConfigureHttpClient(this IServiceClientBuilder builder, Action<IHttpClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        configure(builder.HttpClientBuilder);
        return builder;
    }
}

using Microservice.Kit.Hosting;
using Microservice.Kit.Hosting.Internal;
using Microservice.Kit.Tokens;
using Microservice.Kit.Tokens.Internal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds token validation and issuance to the kit.</summary>
public static class TokensKitBuilderExtensions
{
    private const string Subsection = "Tokens";
    private const string SignInSubsection = "Tokens:SignIn";

    /// <summary>
    /// Adds validation of access tokens as the default authentication scheme (<see cref="TokenDefaults.AuthenticationScheme"/>),
    /// authorization with <c>perm:</c> permission policies, and their middleware to <c>UseMicroserviceKit</c>.
    /// Every OpenAPI document gets the security schemes (<c>Bearer</c>, and <see cref="TokenOptions.TokenHeader"/> when set),
    /// and each endpoint that requires authorization its security requirement and 401 / 403 problem responses.
    /// Options are bound from <c>MicroserviceKit:Tokens</c>.
    /// </summary>
    /// <param name="kit">The kit builder.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddTokenValidation(this IMicroserviceKitBuilder kit) => AddTokenValidation(kit, configure: null!);

    /// <summary>Adds token validation (see <see cref="AddTokenValidation(IMicroserviceKitBuilder)"/>) with options set in code after binding.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddTokenValidation(this IMicroserviceKitBuilder kit, Action<TokenOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(kit);
        AddCommon(kit, configure);
        var services = kit.Services;
        if (services.Any(d => d.ServiceType == typeof(TokenValidationMarker)))
        {
            return kit;
        }

        services.AddSingleton<TokenValidationMarker>();
        // Every OpenAPI document of the service (AddVersionedOpenApi's or the application's own AddOpenApi) names
        // the token schemes and the 401/403 of protected endpoints.
        services.ConfigureAll<OpenApiOptions>(TokenOpenApi.Configure);
        // JwksUrl and the trusted issuers' JWKS addresses may be logical service names (http://identity), resolved by
        // service discovery; the resolver stays out of the client when none of them is one.
        KitServiceDiscovery.AddServiceDiscovery(
            services.AddHttpClient(JwksKeySource.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10)),
            provider =>
            {
                var options = provider.GetRequiredService<IOptions<TokenOptions>>().Value;
                var configuration = provider.GetService<Microsoft.Extensions.Configuration.IConfiguration>();
                return options.TrustedIssuers.Values.Select(issuer => issuer.JwksUrl).Prepend(options.JwksUrl)
                    .Select(url => Uri.TryCreate(url, UriKind.Absolute, out var address) ? address : null)
                    .FirstOrDefault(address => KitServiceDiscovery.Applies(address, configuration));
            });
        // This service's own keys, JwksUrl, and every TrustedIssuers entry: decided once the container is built, so that
        // AddTokenIssuer may come before or after this call.
        services.TryAddSingleton(TrustedIssuerSet.Create);
        services.TryAddSingleton<ITokenValidator>(provider => new TokenValidator(
            provider.GetRequiredService<TrustedIssuerSet>(), provider.GetRequiredService<IOptions<TokenOptions>>(),
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<TokenValidator>>()));

        services.AddAuthentication(options =>
            {
                options.DefaultScheme ??= TokenDefaults.AuthenticationScheme;
            })
            .AddScheme<TokenAuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenDefaults.AuthenticationScheme, displayName: "Microservice.Kit bearer token", configureOptions: null);
        services.AddAuthorization();
        // After AddAuthorization, whose TryAdd registered the default provider: the last registration wins.
        services.AddSingleton<IAuthorizationPolicyProvider, PermissionPolicyProvider>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, PermissionAuthorizationHandler>());
        // A policy name nobody registered is a 500 at the first request; this makes it a refusal to start.
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, AuthorizationPolicyCheck>());

        services.AddSingleton(new KitMiddlewareStep(KitPipelineOrder.Authentication, "tokens.authentication", app => app.UseAuthentication()));
        services.AddSingleton(new KitMiddlewareStep(KitPipelineOrder.Authorization, "tokens.authorization", app => app.UseAuthorization()));
        return kit;
    }

    /// <summary>
    /// Adds <see cref="ITokenIssuer"/>, <see cref="ITokenKeyManager"/> and this service's signing keys, and the JWKS document at
    /// <c>/.well-known/jwks.json</c> to <c>MapKitEndpoints</c>. Options are bound from <c>MicroserviceKit:Tokens</c>. Also adds
    /// sign-in throttling for the service's token endpoint: <see cref="ISignInThrottle"/>, the rate-limiting policy that
    /// <c>RequireSignInThrottling</c> names and <c>UseRateLimiter</c> inside <c>UseMicroserviceKit</c> (options bound from
    /// <c>MicroserviceKit:Tokens:SignIn</c>).
    /// A service that also accepts its own tokens calls <see cref="AddTokenValidation(IMicroserviceKitBuilder)"/> too.
    /// </summary>
    /// <param name="kit">The kit builder.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddTokenIssuer(this IMicroserviceKitBuilder kit) => AddTokenIssuer(kit, configure: null!);

    /// <summary>Adds token issuance (see <see cref="AddTokenIssuer(IMicroserviceKitBuilder)"/>) with options set in code after binding.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddTokenIssuer(this IMicroserviceKitBuilder kit, Action<TokenOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(kit);
        AddCommon(kit, configure);
        var services = kit.Services;
        RolesOf(services).Issues = true;
        services.TryAddSingleton<ITokenIssuer, TokenIssuer>();
        services.TryAddSingleton<ClientCredentialsGrant>();
        services.TryAddSingleton<ITokenKeyManager>(provider => provider.GetRequiredService<LocalKeyRing>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TokenKeyRingInitializer>());
        AddSignInThrottling(kit);
        if (!services.Any(d => d.ServiceType == typeof(KitEndpointRegistration) && d.ImplementationInstance is KitEndpointRegistration { Name: "tokens.jwks" }))
        {
            services.AddSingleton(new KitEndpointRegistration("tokens.jwks", endpoints => endpoints.MapJwks()));
        }

        return kit;
    }

    // Every issuer has a token endpoint to guard: the per-user-name throttle its handler calls, and the per-address
    // rate-limiting policy that RequireSignInThrottling puts on it, with the middleware that applies it.
    private static void AddSignInThrottling(IMicroserviceKitBuilder kit)
    {
        kit.AddKitOptions<SignInThrottleOptions>(SignInSubsection);
        var services = kit.Services;
        if (services.Any(d => d.ServiceType == typeof(SignInThrottleMarker)))
        {
            return;
        }

        services.AddSingleton<SignInThrottleMarker>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SignInThrottleOptions>>(new SignInThrottleOptionsValidator(kit.KeyOf(SignInSubsection))));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISignInThrottle, SignInThrottle>();
        services.AddRateLimiter(options => options.AddPolicy<string, SignInRateLimiterPolicy>(TokenDefaults.SignInRateLimiterPolicy));
        services.AddSingleton(new KitMiddlewareStep(KitPipelineOrder.RateLimiting, "tokens.rate-limiting", app => app.UseRateLimiter()));
    }

    private static void AddCommon(IMicroserviceKitBuilder kit, Action<TokenOptions>? configure)
    {
        // Each call binds and configures again (harmless); the validators and defaults are registered once.
        kit.AddKitOptions(Subsection, configure);
        var services = kit.Services;
        if (services.Any(d => d.ServiceType == typeof(TokenCommonMarker)))
        {
            return;
        }

        services.AddSingleton<TokenCommonMarker>();
        services.AddOptions<TokenOptions>().PostConfigure<IOptions<MicroserviceKitOptions>>((options, kitOptions) =>
        {
            options.Issuer ??= kitOptions.Value.ServiceName;
            options.Audience ??= options.Issuer;
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenOptions>>(new TokenOptionsValidator(kit.KeyOf(Subsection))));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenOptions>>(new TokenTrustValidator(kit.KeyOf(Subsection), RolesOf(services))));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITokenKeyStore>(DefaultTokenKeyStore.Create);
        services.TryAddSingleton<LocalKeyRing>();
    }

    // One instance per container, filled in while services are registered and read once it is built.
    private static TokenRoles RolesOf(IServiceCollection services)
    {
        if (services.FirstOrDefault(d => d.ServiceType == typeof(TokenRoles))?.ImplementationInstance is TokenRoles roles)
        {
            return roles;
        }

        roles = new TokenRoles();
        services.AddSingleton(roles);
        return roles;
    }

    private sealed class TokenValidationMarker;

    private sealed class TokenCommonMarker;

    private sealed class SignInThrottleMarker;
}

using System.Diagnostics.CodeAnalysis;
using Microservice.Kit.Tokens;
using Microservice.Kit.Tokens.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Endpoint helpers of the token feature: the token endpoint, the JWKS document and permission requirements.</summary>
public static class TokenEndpointExtensions
{
    /// <summary>
    /// Maps <c>GET /.well-known/jwks.json</c>: the public halves of this service's ES256 / RS256 keys (never a private
    /// parameter, never an HS256 secret). <c>MapKitEndpoints</c> already calls it when <c>AddTokenIssuer</c> was called;
    /// call it yourself only in an application that does not call <c>MapKitEndpoints</c>.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <returns>The endpoint's convention builder.</returns>
    /// <exception cref="InvalidOperationException"><c>AddTokenIssuer</c> was not called.</exception>
    public static RouteHandlerBuilder MapJwks(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var ring = endpoints.ServiceProvider.GetService<ITokenKeyManager>() as LocalKeyRing
            ?? throw new InvalidOperationException("app.MapJwks() needs the token issuer: call builder.AddMicroserviceKit().AddTokenIssuer() first.");
        return endpoints.MapGet(TokenDefaults.JwksPath, (HttpContext context) =>
            {
                // Short caching: validators refresh on an unknown kid anyway, and a retired key should disappear soon.
                context.Response.Headers.CacheControl = "public, max-age=60";
                return Results.Bytes(ring.State.Jwks, "application/jwk-set+json");
            })
            .AllowAnonymous()
            .WithDisplayName("Kit JWKS")
            .ExcludeFromDescription();
    }

    /// <summary>
    /// Maps <c>POST <paramref name="pattern"/></c> as a token endpoint: anonymous (the caller signs in here), and every
    /// response it writes carries <c>Cache-Control: no-store</c> and <c>Pragma: no-cache</c>, so that no cache keeps a token
    /// (RFC 6749 §5.1). The handler checks the credentials and returns the token response.
    /// A form-encoded request (<c>application/x-www-form-urlencoded</c>, OAuth's wire format) is answered by the kit instead
    /// of the handler: the client-credentials grant (RFC 6749 §4.4) for the clients registered under
    /// <c>MicroserviceKit:Tokens:Clients</c>, with their secret checked against its hash, <c>scope</c> narrowing their
    /// permissions, and the sign-in throttle applied to the client id.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder or group.</param>
    /// <param name="pattern">The route, for example <c>/api/v1/tokens</c>.</param>
    /// <param name="handler">The request handler for other requests (users signing in with a JSON body), as for <c>MapPost</c>.</param>
    /// <returns>The endpoint's convention builder.</returns>
    /// <exception cref="InvalidOperationException">When the endpoint is built and <c>AddTokenIssuer</c> was not called.</exception>
    public static RouteHandlerBuilder MapTokenEndpoint(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern, Delegate handler)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        ArgumentNullException.ThrowIfNull(handler);
        // Asked without resolving it, so that options are still validated at start rather than here.
        if (endpoints.ServiceProvider.GetService<IServiceProviderIsService>()?.IsService(typeof(ClientCredentialsGrant)) != true)
        {
            throw new InvalidOperationException("app.MapTokenEndpoint() needs the token issuer: call builder.AddMicroserviceKit().AddTokenIssuer() first.");
        }

        var builder = endpoints.MapPost(pattern, handler)
            .AllowAnonymous()
            .AddEndpointFilter(static (context, next) =>
            {
                // Set before the handler runs, so that a handler writing its own response cannot forget them.
                ClientCredentialsGrant.NoStore(context.HttpContext.Response);
                return next(context);
            })
            .AddOpenApiOperationTransformer(ClientCredentialsOpenApi.DescribeAsync);
        // Ahead of the handler's own delegate, whose body binding would refuse a form before any filter runs. Routing,
        // authorization and the sign-in rate limit have already applied: they work from the endpoint, not its delegate.
        builder.Add(static endpoint =>
        {
            var inner = endpoint.RequestDelegate ?? throw new InvalidOperationException("The token endpoint has no request delegate.");
            endpoint.RequestDelegate = context => ClientCredentialsGrant.Handles(context.Request)
                ? context.RequestServices.GetRequiredService<ClientCredentialsGrant>().HandleAsync(context)
                : inner(context);
        });
        // Routing refuses a content type the endpoint does not declare (415) before any delegate runs; the handler's body
        // binding declared JSON only. Added last, after the handler's own metadata, so that it is the one routing reads.
        builder.Finally(static endpoint =>
        {
            if (endpoint.Metadata.OfType<IAcceptsMetadata>().LastOrDefault() is { } accepts
                && !accepts.ContentTypes.Contains(ClientCredentialsOpenApi.FormMediaType, StringComparer.OrdinalIgnoreCase))
            {
                endpoint.Metadata.Add(new TokenEndpointAccepts([.. accepts.ContentTypes, ClientCredentialsOpenApi.FormMediaType], accepts.RequestType, accepts.IsOptional));
            }
        });
        return builder;
    }

    /// <summary>
    /// Requires an authenticated caller holding every given permission (policies <c>perm:&lt;permission&gt;</c>); a caller
    /// without a valid token gets 401, one without a permission 403.
    /// </summary>
    /// <typeparam name="TBuilder">The convention builder's type.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="permissions">The permissions, for example <c>emp.create</c>.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, params string[] permissions)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(permissions);
        if (permissions.Length == 0)
        {
            throw new ArgumentException("Name at least one permission.", nameof(permissions));
        }

        foreach (var permission in permissions)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(permission, nameof(permissions));
        }

        return builder.RequireAuthorization([.. permissions.Select(p => TokenDefaults.PermissionPolicyPrefix + p)]);
    }

    /// <summary>
    /// Puts a token endpoint under sign-in throttling by client address (<see cref="TokenDefaults.SignInRateLimiterPolicy"/>:
    /// <c>MicroserviceKit:Tokens:SignIn:PermitsPerAddress</c> per <c>Window</c>, then 429 <c>TooManyRequests</c> with
    /// <c>Retry-After</c>). Its handler calls <see cref="ISignInThrottle"/> for the per-user-name limit and lockout.
    /// Needs <c>AddTokenIssuer</c>, which registers the policy and adds <c>UseRateLimiter</c> to <c>UseMicroserviceKit</c>;
    /// do not call <c>UseRateLimiter</c> yourself as well, or each request is counted twice.
    /// </summary>
    /// <typeparam name="TBuilder">The convention builder's type.</typeparam>
    /// <param name="builder">The token endpoint.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireSignInThrottling<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.RequireRateLimiting(TokenDefaults.SignInRateLimiterPolicy);
    }

    private sealed class TokenEndpointAccepts(IReadOnlyList<string> contentTypes, Type? requestType, bool isOptional) : IAcceptsMetadata
    {
        public IReadOnlyList<string> ContentTypes { get; } = contentTypes;

        public Type? RequestType { get; } = requestType;

        public bool IsOptional { get; } = isOptional;
    }
}

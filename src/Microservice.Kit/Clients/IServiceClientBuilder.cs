using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Clients;

/// <summary>
/// Returned by <c>AddServiceClient</c>: configures one client further — its token source, and extra handlers
/// such as the API version handler through <see cref="HttpClientBuilder"/>.
/// </summary>
public interface IServiceClientBuilder
{
    /// <summary>The client's name (<c>employees</c>).</summary>
    string Name { get; }

    /// <summary>The service collection the client is registered in.</summary>
    IServiceCollection Services { get; }

    /// <summary>
    /// The builder of the underlying named <see cref="HttpClient"/>. Handlers added to it
    /// (<c>AddHttpMessageHandler</c>) run on every attempt, inside the client's retries and timeouts.
    /// </summary>
    IHttpClientBuilder HttpClientBuilder { get; }
}

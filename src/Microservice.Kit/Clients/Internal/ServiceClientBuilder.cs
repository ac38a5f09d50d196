using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Clients.Internal;

internal sealed class ServiceClientBuilder(string name, IServiceCollection services, IHttpClientBuilder httpClientBuilder) : IServiceClientBuilder
{
    public string Name { get; } = name;

    public IServiceCollection Services { get; } = services;

    public IHttpClientBuilder HttpClientBuilder { get; } = httpClientBuilder;
}

namespace Microservice.Kit.Clients;

/// <summary>Creates the service clients added with <c>AddServiceClient</c>, by name.</summary>
/// <remarks>
/// Clients are cheap to create (the connection pool and the resilience pipeline are shared per name) and may be
/// created per use or injected directly: <c>[FromKeyedServices("employees")] ServiceClient employees</c>.
/// </remarks>
public interface IServiceClientFactory
{
    /// <summary>Creates the client with the given name.</summary>
    /// <param name="name">The name given to <c>AddServiceClient</c>.</param>
    /// <returns>The client.</returns>
    /// <exception cref="InvalidOperationException">No client with that name was added.</exception>
    ServiceClient CreateClient(string name);
}

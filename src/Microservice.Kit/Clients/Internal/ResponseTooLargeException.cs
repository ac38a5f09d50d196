using System.Net;

namespace Microservice.Kit.Clients.Internal;

/// <summary>
/// An attempt's response body is larger than <see cref="ServiceClientOptions.MaxResponseBufferBytes"/>. Its own type, so
/// that it is neither retried nor counted by the circuit breaker as the transport failure it would otherwise look like.
/// </summary>
internal sealed class ResponseTooLargeException(HttpStatusCode status, long limit, Exception? innerException)
    : Exception($"The response body is larger than the client's limit of {limit} bytes.", innerException)
{
    public HttpStatusCode Status { get; } = status;
}

using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Microservice.Kit.Problems;

namespace Microservice.Kit.S3.Files.Internal;

/// <summary>Turns what the SDK throws when the object store cannot serve into the kit's 503, without the SDK's text (it can name hosts and keys).</summary>
internal static class S3Errors
{
    public const string Unavailable = "The object store is unavailable.";

    public static bool IsNotFound(AmazonS3Exception exception) =>
        exception.StatusCode == HttpStatusCode.NotFound;

    public static bool IsPreconditionFailed(AmazonS3Exception exception) =>
        exception.StatusCode == HttpStatusCode.PreconditionFailed;

    /// <summary>Whether the server does not implement the operation (501, or 405 for a sub-resource it does not route).</summary>
    public static bool IsNotImplemented(Exception? exception) =>
        exception is AmazonS3Exception { StatusCode: HttpStatusCode.NotImplemented or HttpStatusCode.MethodNotAllowed };

    /// <summary>
    /// Whether <paramref name="exception"/>, thrown by an SDK call, means the store is out of reach or refusing service
    /// (down, timing out, a 5xx, credentials or bucket wrong): the caller gets 503 <c>DependencyUnavailable</c>, and the
    /// next request tries again, so the service recovers when the store does.
    /// </summary>
    public static bool IsUnavailable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,   // the SDK's timeout, not the caller
        AmazonServiceException => true,
        AmazonClientException => true,
        HttpRequestException or SocketException or IOException => true,
        _ => false,
    };

    public static async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not AmazonS3Exception { StatusCode: HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed }
            && IsUnavailable(exception, cancellationToken))
        {
            throw new DependencyUnavailableException(Unavailable, exception);
        }
    }
}

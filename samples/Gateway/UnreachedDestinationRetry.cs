using System.Net.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway;

/// <summary>
/// Sends a request once more, to another healthy replica, when the first could not even be connected to (the replica
/// is gone: killed, restarting, not yet listening). Such a request never left the gateway, so sending it again cannot
/// apply a write twice, whatever its method. A failure after the connection was made (a replica killed while it
/// handled the request) is not retried: the replica may have acted on it, and only the client can decide.
/// </summary>
internal static class UnreachedDestinationRetry
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var proxy = context.GetReverseProxyFeature();
        var counters = context.RequestServices.GetRequiredService<DestinationCounters>();
        var candidates = proxy.AvailableDestinations;   // load balancing narrows the feature's list to the one it picks
        await next();
        if (IsUnreached(context) && proxy.ProxiedDestination is { } failed
            && candidates.Where(d => !ReferenceEquals(d, failed)).ToList() is { Count: > 0 } others)
        {
            counters.Retried(failed.DestinationId);
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
            proxy.AvailableDestinations = others;
            proxy.ProxiedDestination = null;
            await next();
        }

        if (proxy.ProxiedDestination is { } destination)
        {
            counters.Answered(destination.DestinationId, context.Features.Get<IForwarderErrorFeature>() is null);
        }
    }

    private static bool IsUnreached(HttpContext context)
    {
        if (context.Response.HasStarted || context.Features.Get<IForwarderErrorFeature>() is not { Error: ForwarderError.Request } error)
        {
            return false;
        }

        // Only a failure to connect proves nothing was sent; a reset after sending may follow a write the replica made.
        for (var exception = error.Exception; exception is not null; exception = exception.InnerException)
        {
            if (exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            {
                return true;
            }
        }

        return false;
    }
}

using Yarp.ReverseProxy;

namespace Gateway;

/// <summary>
/// <c>GET /gateway/destinations</c>: every replica of every cluster with its address, its active and passive health as
/// the gateway sees them, whether the gateway routes to it now, and its counters. What an operator (and the replica
/// tests) look at to see a replica leave and rejoin.
/// </summary>
internal static class DestinationsEndpoint
{
    public static IResult Get(IProxyStateLookup proxy, DestinationCounters counters) =>
        Results.Ok(proxy.GetClusters().Select(cluster => new
        {
            cluster = cluster.ClusterId,
            destinations = cluster.Destinations.Values.OrderBy(d => d.DestinationId, StringComparer.Ordinal).Select(destination =>
            {
                var (answered, failed, retried) = counters.Get(destination.DestinationId);
                return new
                {
                    id = destination.DestinationId,
                    address = destination.Model.Config.Address,
                    active = destination.Health.Active.ToString(),
                    passive = destination.Health.Passive.ToString(),
                    available = cluster.DestinationsState.AvailableDestinations.Contains(destination),
                    answered,
                    failed,
                    retried,
                };
            }),
        }));
}

namespace Microservice.Kit.Clients.Internal;

/// <summary>What the handlers of one call share across its attempts, carried in <see cref="HttpRequestMessage.Options"/>.</summary>
internal sealed class ServiceCallState
{
    public static readonly HttpRequestOptionsKey<ServiceCallState> Key = new("Microservice.Kit.Clients.CallState");

    /// <summary>When the call started (<see cref="TimeProvider.GetTimestamp"/>), for the time left in the total timeout.</summary>
    public long StartTimestamp { get; set; }

    /// <summary>The attempts made so far.</summary>
    public int Attempts { get; set; }

    /// <summary>Whether the response body is left to the caller to stream instead of being read within the attempt.</summary>
    public bool StreamResponse { get; set; }

    /// <summary>Whether retries are ruled out for this call (an unsafe method without a key, or a body too large to buffer).</summary>
    public bool NoRetry { get; set; }

    public static ServiceCallState For(HttpRequestMessage request)
    {
        if (!request.Options.TryGetValue(Key, out var state))
        {
            state = new ServiceCallState();
            request.Options.Set(Key, state);
        }

        return state;
    }
}

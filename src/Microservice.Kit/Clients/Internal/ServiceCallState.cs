namespace Microservice.Kit.Clients.Internal;

/// <summary>What the pipeline of one call shares across its attempts: created by <see cref="ServiceCallHandler"/> once per call.</summary>
internal sealed class ServiceCallState(HttpRequestMessage request, long startTimestamp, bool streamResponse, bool noRetry)
{
    /// <summary>Set in <see cref="HttpRequestMessage.Options"/> by <see cref="ServiceClient.SendAsync(HttpRequestMessage, HttpCompletionOption, CancellationToken)"/> when the caller streams the body.</summary>
    public static readonly HttpRequestOptionsKey<bool> StreamResponseKey = new("Microservice.Kit.Clients.StreamResponse");

    /// <summary>The request, sent again on each attempt.</summary>
    public HttpRequestMessage Request { get; } = request;

    /// <summary>When the call started (<see cref="TimeProvider.GetTimestamp"/>), for the time left in the total timeout.</summary>
    public long StartTimestamp { get; } = startTimestamp;

    /// <summary>Whether the response body is left to the caller to stream instead of being read within the attempt.</summary>
    public bool StreamResponse { get; } = streamResponse;

    /// <summary>Whether retries are ruled out for this call (an unsafe method without a key, or a body too large to buffer).</summary>
    public bool NoRetry { get; } = noRetry;

    /// <summary>The attempts made so far.</summary>
    public int Attempts { get; set; }
}

/// <summary>
/// The request the typed calls of <see cref="ServiceClient"/> send: the handler knows from its type that the body is
/// read within the attempt, without looking into (and so allocating) <see cref="HttpRequestMessage.Options"/>.
/// </summary>
internal sealed class TypedServiceCallRequest(HttpMethod method, Uri uri) : HttpRequestMessage(method, uri);

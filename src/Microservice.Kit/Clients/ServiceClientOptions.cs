using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microservice.Kit.Clients.Internal;
using Microservice.Kit.Versioning;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Clients;

/// <summary>
/// Options of one service client, bound from <c>MicroserviceKit:Clients:&lt;name&gt;</c> and validated on start.
/// </summary>
/// <remarks>
/// The defaults suit calls between services of one fleet on a fast network: an attempt that takes more than
/// 10 seconds is abandoned, a call never takes more than 30 seconds, transient failures are retried three
/// times with 200 ms exponential backoff and jitter, and a service that fails half of at least 20 attempts in
/// 30 seconds is left alone for 5 seconds.
/// </remarks>
public sealed class ServiceClientOptions
{
    /// <summary>The sub-section of <c>MicroserviceKit</c> under which each client's options are bound by name.</summary>
    public const string SectionName = "Clients";

    /// <summary>The absolute <c>http</c> or <c>https</c> address of the called service; relative paths are resolved against it.</summary>
    /// <value>There is no default: the address is required.</value>
    [Required]
    public Uri? BaseAddress { get; set; }

    /// <summary>How long one attempt (sending the request and reading the whole response) may take before it is abandoned and, if allowed, retried.</summary>
    /// <value>The default is 10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00", ErrorMessage = "must be between 10 milliseconds and 1 day")]
    public TimeSpan AttemptTimeout { get; set; } = ServiceClientDefaults.AttemptTimeout;

    /// <summary>How long a call may take in all, retries and their delays included. Must not be less than <see cref="AttemptTimeout"/>.</summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00", ErrorMessage = "must be between 10 milliseconds and 1 day")]
    public TimeSpan TotalTimeout { get; set; } = ServiceClientDefaults.TotalTimeout;

    /// <summary>Which failures are retried, how often and how long apart.</summary>
    [ValidateObjectMembers]
    public ServiceClientRetryOptions Retry { get; set; } = new();

    /// <summary>When calls to a failing service stop for a while so that it can recover.</summary>
    [ValidateObjectMembers]
    public ServiceClientCircuitBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>Which token, if any, is attached to calls.</summary>
    [ValidateObjectMembers]
    public ServiceClientTokenOptions Token { get; set; } = new();

    /// <summary>
    /// The API versions this client understands and how it sends them. With at least one version, the kit's
    /// client-side version handler is added to the client: it asks for the highest version the called service
    /// supports (learned from its <c>api-supported-versions</c> header), retries once on
    /// <c>UnsupportedApiVersion</c>, and logs when the service says the version is deprecated or past its sunset.
    /// </summary>
    [ValidateObjectMembers]
    public ServiceClientApiVersionOptions ApiVersion { get; set; } = new();

    /// <summary>
    /// Whether a <c>POST</c> or <c>PATCH</c> without an <c>Idempotency-Key</c> header gets a fresh one, which makes
    /// it retryable. Turn it on only when the called service deduplicates requests by that key.
    /// </summary>
    /// <value>The default is <see langword="false"/>: unsafe methods are sent once.</value>
    public bool AddIdempotencyKey { get; set; }

    /// <summary>
    /// The header that carries the correlation id, copied from the incoming request to each call when present;
    /// <see langword="null"/> or empty to copy none. W3C <c>traceparent</c> flows regardless.
    /// </summary>
    /// <value>The default is <c>X-Correlation-ID</c>.</value>
    [RegularExpression("^[A-Za-z0-9!#$%&'*+.^_`|~-]*$", ErrorMessage = "must be a valid HTTP header name")]
    public string? CorrelationHeader { get; set; } = ServiceClientDefaults.CorrelationHeader;

    /// <summary>
    /// The largest response body the client reads into memory: every typed call, and <c>SendAsync</c> with
    /// <see cref="HttpCompletionOption.ResponseContentRead"/>. A larger answer is abandoned after at most this many
    /// bytes (at once when its <c>Content-Length</c> says so) and fails as
    /// <see cref="ServiceCallFailure.InvalidResponse"/>, 502 <c>DependencyInvalidResponse</c>, without a retry. To
    /// receive a larger body, stream it: <c>SendAsync</c> with <see cref="HttpCompletionOption.ResponseHeadersRead"/>.
    /// </summary>
    /// <value>The default is 1 MiB.</value>
    [Range(1L, int.MaxValue, ErrorMessage = "must be between 1 byte and 2 GiB")]
    public long MaxResponseBufferBytes { get; set; } = ServiceClientDefaults.MaxResponseBufferBytes;

    /// <summary>
    /// The JSON settings of the typed calls. Add a source-generated context with
    /// <c>SerializerOptions.TypeInfoResolverChain.Insert(0, MyJsonContext.Default)</c>, or pass a
    /// <see cref="System.Text.Json.Serialization.Metadata.JsonTypeInfo{T}"/> to the call. Keep
    /// <see cref="JsonSerializerOptions.RespectNullableAnnotations"/> and
    /// <see cref="JsonSerializerOptions.RespectRequiredConstructorParameters"/> on when you replace them: they are what
    /// makes a dependency's <c>{"name":null}</c> for a non-nullable <c>string Name</c> an invalid response instead of
    /// a record with no name.
    /// </summary>
    /// <value>
    /// The default is <see cref="JsonSerializerDefaults.Web"/> (camelCase, case-insensitive reads) with
    /// <see cref="JsonSerializerOptions.RespectNullableAnnotations"/> and
    /// <see cref="JsonSerializerOptions.RespectRequiredConstructorParameters"/> on: a body that does not fit the
    /// declared type, nullability included, is refused.
    /// </value>
    public JsonSerializerOptions SerializerOptions { get; set; } = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };
}

/// <summary>The retry settings of a service client.</summary>
/// <remarks>
/// Retried: responses 408, 429 and 5xx, connection failures and attempt timeouts — for <c>GET</c>, <c>HEAD</c>,
/// <c>OPTIONS</c>, <c>PUT</c> and <c>DELETE</c> (idempotent by RFC 9110 §9.2.2), and for <c>POST</c> and
/// <c>PATCH</c> only when the request carries an <c>Idempotency-Key</c> header.
/// </remarks>
public sealed class ServiceClientRetryOptions
{
    /// <summary>How many times a failed attempt is retried; 0 turns retries off.</summary>
    /// <value>The default is 3 (at most 4 attempts).</value>
    [Range(0, 10, ErrorMessage = "must be between 0 and 10")]
    public int MaxRetryAttempts { get; set; } = ServiceClientDefaults.MaxRetryAttempts;

    /// <summary>The delay before the first retry; each further retry waits twice as long (exponential backoff).</summary>
    /// <value>The default is 200 milliseconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "must be between 0 and 1 hour")]
    public TimeSpan BaseDelay { get; set; } = ServiceClientDefaults.BaseDelay;

    /// <summary>The longest delay the backoff produces.</summary>
    /// <value>The default is 5 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "must be between 0 and 1 hour")]
    public TimeSpan MaxDelay { get; set; } = ServiceClientDefaults.MaxDelay;

    /// <summary>Whether delays are randomised so that many clients do not retry in lockstep.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool UseJitter { get; set; } = true;

    /// <summary>
    /// Whether a <c>Retry-After</c> header on a 429 or 503 sets the delay. A delay longer than the time left in
    /// <see cref="ServiceClientOptions.TotalTimeout"/> is not waited out: the call fails at once instead.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool HonorRetryAfter { get; set; } = true;

    /// <summary>
    /// The largest request body that is buffered in memory so that a retry can send it again. A request whose
    /// body is declared larger is sent once, without retries.
    /// </summary>
    /// <value>The default is 32 MiB.</value>
    [Range(0L, long.MaxValue, ErrorMessage = "must not be negative")]
    public long MaxBufferedRequestBytes { get; set; } = ServiceClientDefaults.MaxBufferedRequestBytes;
}

/// <summary>The circuit breaker settings of a service client; each authority (scheme, host and port) has its own circuit.</summary>
public sealed class ServiceClientCircuitBreakerOptions
{
    /// <summary>The share of failed attempts in <see cref="SamplingDuration"/> that opens the circuit.</summary>
    /// <value>The default is 0.5.</value>
    [Range(0.01, 1.0, ErrorMessage = "must be between 0.01 and 1")]
    public double FailureRatio { get; set; } = ServiceClientDefaults.FailureRatio;

    /// <summary>How many attempts must be seen in <see cref="SamplingDuration"/> before the circuit can open.</summary>
    /// <value>The default is 20.</value>
    [Range(2, int.MaxValue, ErrorMessage = "must be at least 2")]
    public int MinimumThroughput { get; set; } = ServiceClientDefaults.MinimumThroughput;

    /// <summary>The window over which failures are counted.</summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00", ErrorMessage = "must be between 500 milliseconds and 1 day")]
    public TimeSpan SamplingDuration { get; set; } = ServiceClientDefaults.SamplingDuration;

    /// <summary>How long the circuit stays open (calls fail at once) before one trial call is let through.</summary>
    /// <value>The default is 5 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00", ErrorMessage = "must be between 500 milliseconds and 1 day")]
    public TimeSpan BreakDuration { get; set; } = ServiceClientDefaults.BreakDuration;
}

/// <summary>Where the token attached to a service client's calls comes from.</summary>
public enum ServiceClientTokenMode
{
    /// <summary>No token is attached.</summary>
    None = 0,

    /// <summary>The incoming request's token (<c>Authorization: Bearer</c>, else <see cref="ServiceClientTokenOptions.IncomingHeader"/>) is passed on.</summary>
    Propagate = 1,

    /// <summary>The token comes from the <see cref="ITokenSource"/> registered for the client (see <c>AddTokenSource</c>).</summary>
    Source = 2,
}

/// <summary>The token settings of a service client. A token is only ever sent to the client's own <see cref="ServiceClientOptions.BaseAddress"/> authority.</summary>
public sealed class ServiceClientTokenOptions
{
    /// <summary>Where the token comes from.</summary>
    /// <value>The default is <see cref="ServiceClientTokenMode.None"/>.</value>
    public ServiceClientTokenMode Mode { get; set; }

    /// <summary>
    /// The incoming request header read for a raw token when the request has no <c>Authorization: Bearer</c>;
    /// an empty string reads none. Left unset, it is the header this service itself accepts tokens in
    /// (<c>TokenOptions.TokenHeader</c>), so that a service never passes on a header it would not have accepted.
    /// </summary>
    /// <value>The default is <see langword="null"/>: the service's <c>TokenOptions.TokenHeader</c> (none unless set).</value>
    [RegularExpression("^([A-Za-z0-9!#$%&'*+.^_`|~-]+)?$", ErrorMessage = "must be a valid HTTP header name")]
    public string? IncomingHeader { get; set; }

    /// <summary>
    /// The header the token is sent in: <c>Authorization</c> sends <c>Bearer &lt;token&gt;</c>, any other header
    /// (such as <c>X-Auth-Header</c>) the raw token.
    /// </summary>
    /// <value>The default is <c>Authorization</c>.</value>
    [Required]
    [RegularExpression("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", ErrorMessage = "must be a valid HTTP header name")]
    public string OutgoingHeader { get; set; } = ServiceClientDefaults.OutgoingTokenHeader;

    /// <summary>Where and as whom a token is obtained with the client-credentials grant, for a client that calls <c>UseClientCredentials()</c>.</summary>
    [ValidateObjectMembers]
    public ClientCredentialsTokenOptions ClientCredentials { get; set; } = new();
}

/// <summary>
/// The client-credentials grant (RFC 6749 §4.4) a service client uses to obtain its own token, bound from
/// <c>MicroserviceKit:Clients:&lt;name&gt;:Token:ClientCredentials</c>. Used by <c>UseClientCredentials()</c>.
/// </summary>
public sealed class ClientCredentialsTokenOptions
{
    /// <summary>The absolute URL of the issuing service's token endpoint, for example <c>http://employees:8080/api/v1/tokens</c>.</summary>
    /// <value>The default is <see langword="null"/> (required).</value>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>This service's client id, as registered with the issuer (<c>MicroserviceKit:Tokens:Clients:&lt;client id&gt;</c> there).</summary>
    /// <value>The default is <see langword="null"/> (required).</value>
    public string? ClientId { get; set; }

    /// <summary>The client secret. Keep it out of source control (environment, secret store); it is never logged.</summary>
    /// <value>The default is <see langword="null"/> (required).</value>
    public string? ClientSecret { get; set; }

    /// <summary>Space-separated permissions to ask for, a subset of the client's.</summary>
    /// <value>The default is <see langword="null"/>: every permission the client is registered with.</value>
    public string? Scope { get; set; }

    /// <summary>How long before the token expires a new one is obtained (at most half its lifetime), so that it never expires in flight.</summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "must be between 0 and 1 hour")]
    public TimeSpan RefreshBefore { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Describes the settings without the secret, so that logging them by mistake leaks nothing.</summary>
    /// <returns>The endpoint and client id.</returns>
    public override string ToString() => $"client credentials of '{ClientId}' at {TokenEndpoint}";
}

/// <summary>
/// The API version settings of a service client, bound from <c>MicroserviceKit:Clients:&lt;name&gt;:ApiVersion</c>.
/// </summary>
public sealed class ServiceClientApiVersionOptions
{
    /// <summary>
    /// The versions the client understands, such as <c>["2.0", "1.0"]</c>; empty sends no version and adds no handler.
    /// </summary>
    /// <value>The default is empty.</value>
    public IList<string> Versions { get; set; } = [];

    /// <summary>Where the version is written: a header, a query parameter, or the <c>{version}</c> segment of the path.</summary>
    /// <value>The default is <see cref="ApiVersionLocation.Header"/>.</value>
    public ApiVersionLocation Location { get; set; } = ApiVersionLocation.Header;

    /// <summary>The header or query parameter that carries the version.</summary>
    /// <value>The default is <c>api-version</c>.</value>
    [Required]
    [RegularExpression("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", ErrorMessage = "must be a valid HTTP header or query parameter name")]
    public string ParameterName { get; set; } = ApiVersioningConstants.DefaultParameterName;

    /// <summary>Whether the client picks the highest version the service supports instead of always the highest it understands.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool Negotiate { get; set; } = true;
}

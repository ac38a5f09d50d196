using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microservice.Kit.Clients.Internal;

namespace Microservice.Kit.Clients;

/// <summary>
/// Calls one other service: typed JSON calls that read like <c>requests.get(url)</c>, with the client's
/// timeouts, retries, circuit breaker, token and correlation id applied to each.
/// </summary>
/// <remarks>
/// <para>
/// Every failure is a <see cref="ServiceCallException"/>: a status that is not a success (with the service's
/// problem <c>code</c> and <c>detail</c>), a connection failure, a timeout or an open circuit. Unhandled, it
/// leaves this service as <c>503 DependencyUnavailable</c>, except that a <c>401</c> or <c>403</c> to the caller's
/// own propagated token leaves it as that same status (<see cref="ServiceCallFailure.CallerNotAuthorized"/>), and an
/// answer this service cannot use (too large, undecodable, not the expected JSON) leaves it as
/// <c>502 DependencyInvalidResponse</c> (<see cref="ServiceCallFailure.InvalidResponse"/>).
/// Cancelling the token throws <see cref="OperationCanceledException"/> as usual.
/// </para>
/// <para>Paths are relative to <see cref="ServiceClientOptions.BaseAddress"/>. Get one by injecting
/// <c>[FromKeyedServices("employees")] ServiceClient</c>, from <see cref="IServiceClientFactory"/>, or as the
/// constructor argument of a typed client.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Justification = "The shape of HttpClientJsonExtensions (an overload with JsonTypeInfo, each with an optional token); new API, nothing to stay compatible with.")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads",
    Justification = "As above.")]
public sealed class ServiceClient
{
    private const int MaxProblemBytes = 64 * 1024;
    private readonly JsonSerializerOptions _serializerOptions;
    private readonly Uri? _callerTokenAuthority;

    internal ServiceClient(string name, HttpClient httpClient, ServiceClientOptions options)
    {
        Name = name;
        HttpClient = httpClient;
        _serializerOptions = options.SerializerOptions;

        // Only where the caller's own token is passed on does a 401 or 403 speak about the caller; with a service
        // token or none, it is this service's (or the fleet's) configuration that is wrong: an outage for the caller.
        _callerTokenAuthority = options.Token.Mode == ServiceClientTokenMode.Propagate ? options.BaseAddress : null;

        // Fills in the reflection resolver when none was set (as JsonSerializer does on first use), so that
        // GetTypeInfo works; a source-generated resolver in the chain is kept.
        _serializerOptions.MakeReadOnly(populateMissingResolver: true);
    }

    /// <summary>The client's name (<c>employees</c>), as given to <c>AddServiceClient</c> and reported in errors.</summary>
    public string Name { get; }

    /// <summary>The underlying client, with every handler of the service client (resilience, token, correlation) in its pipeline.</summary>
    public HttpClient HttpClient { get; }

    /// <summary>Sends <c>GET</c> and reads the JSON response.</summary>
    /// <typeparam name="TResponse">The type of the response body.</typeparam>
    /// <param name="path">The path, relative to the base address.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response body.</returns>
    /// <exception cref="ServiceCallException">The call failed, or the service answered with a status that is not a success (404 included).</exception>
    public Task<TResponse> GetAsync<TResponse>(string path, CancellationToken cancellationToken = default) =>
        GetAsync(path, TypeInfo<TResponse>(), cancellationToken);

    /// <summary>Sends <c>GET</c> and reads the JSON response with source-generated metadata.</summary>
    /// <typeparam name="TResponse">The type of the response body.</typeparam>
    /// <param name="path">The path, relative to the base address.</param>
    /// <param name="responseType">The JSON metadata of <typeparamref name="TResponse"/>, from a <c>JsonSerializerContext</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response body.</returns>
    /// <exception cref="ServiceCallException">The call failed, or the service answered with a status that is not a success (404 included).</exception>
    public async Task<TResponse> GetAsync<TResponse>(string path, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseType);
        var result = await SendAsync(HttpMethod.Get, path, content: null, responseType, notFoundAsDefault: false, cancellationToken).ConfigureAwait(false);
        return result!;
    }

    /// <summary>Sends <c>GET</c> and reads the JSON response, or returns the default (<see langword="null"/>) when the service answers 404.</summary>
    /// <typeparam name="TResponse">The type of the response body.</typeparam>
    /// <param name="path">The path, relative to the base address.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response body, or the default of <typeparamref name="TResponse"/> on 404.</returns>
    /// <exception cref="ServiceCallException">The call failed, or the service answered with another status that is not a success.</exception>
    public Task<TResponse?> GetOrDefaultAsync<TResponse>(string path, CancellationToken cancellationToken = default) =>
        GetOrDefaultAsync(path, TypeInfo<TResponse>(), cancellationToken);

    /// <summary>Sends <c>GET</c> and reads the JSON response with source-generated metadata, or returns the default when the service answers 404.</summary>
    /// <typeparam name="TResponse">The type of the response body.</typeparam>
    /// <param name="path">The path, relative to the base address.</param>
    /// <param name="responseType">The JSON metadata of <typeparamref name="TResponse"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response body, or the default of <typeparamref name="TResponse"/> on 404.</returns>
    /// <exception cref="ServiceCallException">The call failed, or the service answered with another status that is not a success.</exception>
    public Task<TResponse?> GetOrDefaultAsync<TResponse>(string path, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseType);
        return SendAsync(HttpMethod.Get, path, content: null, responseType, notFoundAsDefault: true, cancellationToken);
    }

    /// <summary>Sends <c>POST</c> with a JSON body and reads the JSON response. Not retried unless the client adds an <c>Idempotency-Key</c>.</summary>
    /// <typeparam name="TRequest">The type of the request body.</typeparam>
    /// <typeparam name="TResponse">The type of the response body.</typeparam>
    /// <param name="path">The path, relative to the base address.</param>
    /// <param name="body">The request body.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response body.</returns>
    /// <exception cref="ServiceCallException">The call failed, or the service answered with a status that is not a success.</exception>
    public Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, CancellationToken cancellationToken = default) =>
        PostAsync(path, body, TypeInfo<TRequest>(), TypeInfo<TResponse>(), cancellationToken);

    /// <summary>Sends <c>POST</c> with a JSON body and reads the JSON response, with source-generated metadata.</summary>
    /// <typeparam name="TRequest">The type of the request body.</typeparam>
    /// <typeparam name="TResponse">The type of the response body.</typeparam>
    /// <param name="path">The path, relative to the base address.</param>
    /// <param name="body">The request body.</param>
    /// <param name="requestType">The JSON metadata of <typeparamref name="TRequest"/>.</param>
    /// <param name="responseType">The JSON metadata of <typeparamref name="TResponse"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response body.</returns>
    /// <exception cref="ServiceCallException">The call failed, or the service answered with a status that is not a success.</exception>
    public async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseType);
        var result = await SendAsync(HttpMethod.Post, path, Content(body, requestType), responseType, notFoundAsDefault: false, cancellationToken).ConfigureAwait(false);
        return result!;
    }

    /// <summary>Sends <c>POST</c> with a JSON body and ignores the response body. Not retried unless the client adds an <c>Idempotency-Key</c>.</summary>
    /// <typeparam name="TRequest">The type of the request body.</typeparam>
    /// <param name="path">The path, relative to the base address.</param>
    /// <param name="body">The request body.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service has answered with a success.</returns>
    /// <exception cref="ServiceCallException">The call failed, or the service answered with a status that is not a success.</exception>
    public Task PostAsync<TRequest>(string path, TRequest body, CancellationToken cancellationToken = default) =>
        PostAsync(path, body, TypeInfo<TRequest>(), cancellationToken);

    /// <summary>Sends <c>POST</c> with a JSON body, with source-generated metadata, and ignores the response body.</summary>
    /// <typeparam name="TRequest">The type of the request body.</typeparam>
    /// <param name="path">The path, relative to the base address.</param>
    /// <param name="body">The request body.</param>
    /// <param name="requestType">The JSON metadata of <typeparamref name="TRequest"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service has answered with a success.</returns>
    /// <exception cref="ServiceCallException">The call failed, or the service answered with a status that is not a success.</exception>
    public Task PostAsync<TRequest>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Post, path, Content(body, requestType), responseType: null, notFoundAsDefault: false, cancellationToken);

    /// <summary>Sends <c>PUT</c> with a JSON body and reads the JSON response. Retried on transient failures (PUT is idempotent).</summary>
    /// <typeparam name="TRequest">The type of the request body.</typeparam>
    /// <typeparam name="TResponse">The type of the response body.</typeparam>
    /// <param name="path">The path, relative to the base address.</param>
    /// <param name="body">The request body.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response body.</returns>
    /// <exception cref="ServiceCallException">The call failed, or the service answered with a status that is not a success.</exception>
    public Task<TResponse> PutAsync<TRequest, TResponse>(string path, TRequest body, CancellationToken cancellationToken = default) =>
        PutAsync(path, body, TypeInfo<TRequest>(), TypeInfo<TResponse>(), cancellationToken);

    /// <summary>Sends <c>PUT</c> with a JSON body and reads the JSON response, with source-generated metadata.</summary>
    /// <typeparam name="TRequest">The type of the request body.</typeparam>
    /// <typeparam name="TResponse">The type of the response body.</typeparam>
    /// <param name="path">The path, relative to the base address.</param>
    /// <param name="body">The request body.</param>
    /// <param name="requestType">The JSON metadata of <typeparamref name="TRequest"/>.</param>
    /// <param name="responseType">The JSON metadata of <typeparamref name="TResponse"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response body.</returns>
    /// <exception cref="ServiceCallException">The call failed, or the service answered with a status that is not a success.</exception>
    public async Task<TResponse> PutAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseType);
        var result = await SendAsync(HttpMethod.Put, path, Content(body, requestType), responseType, notFoundAsDefault: false, cancellationToken).ConfigureAwait(false);
        return result!;
    }

    /// <summary>Sends <c>PUT</c> with a JSON body and ignores the response body.</summary>
    /// <typeparam name="TRequest">The type of the request body.</typeparam>
    /// <param name="path">The path, relative to the base address.</param>
    /// <param name="body">The request body.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service has answered with a success.</returns>
    /// <exception cref="ServiceCallException">The call failed, or the service answered with a status that is not a success.</exception>
    public Task PutAsync<TRequest>(string path, TRequest body, CancellationToken cancellationToken = default) =>
        PutAsync(path, body, TypeInfo<TRequest>(), cancellationToken);

    /// <summary>Sends <c>PUT</c> with a JSON body, with source-generated metadata, and ignores the response body.</summary>
    /// <typeparam name="TRequest">The type of the request body.</typeparam>
    /// <param name="path">The path, relative to the base address.</param>
    /// <param name="body">The request body.</param>
    /// <param name="requestType">The JSON metadata of <typeparamref name="TRequest"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service has answered with a success.</returns>
    /// <exception cref="ServiceCallException">The call failed, or the service answered with a status that is not a success.</exception>
    public Task PutAsync<TRequest>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Put, path, Content(body, requestType), responseType: null, notFoundAsDefault: false, cancellationToken);

    /// <summary>Sends <c>DELETE</c>. Retried on transient failures (DELETE is idempotent).</summary>
    /// <param name="path">The path, relative to the base address.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service has answered with a success.</returns>
    /// <exception cref="ServiceCallException">The call failed, or the service answered with a status that is not a success (404 included).</exception>
    public Task DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, path, content: null, responseType: null, notFoundAsDefault: false, cancellationToken);

    /// <summary>
    /// Sends a request of your own through the client's pipeline and returns the response whatever its status.
    /// Transport failures still throw <see cref="ServiceCallException"/>. With
    /// <see cref="HttpCompletionOption.ResponseHeadersRead"/> the body is streamed to you, and reading it is
    /// bounded by your cancellation token rather than the client's timeouts.
    /// </summary>
    /// <param name="request">The request; a relative URI is resolved against the base address.</param>
    /// <param name="completionOption">When the call completes: after the whole body has been read (the default), or after the headers.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response, which the caller disposes.</returns>
    /// <exception cref="ServiceCallException">No response arrived: connection failure, timeout or open circuit.</exception>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completionOption = HttpCompletionOption.ResponseContentRead, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (completionOption == HttpCompletionOption.ResponseHeadersRead)
        {
            request.Options.Set(ServiceCallState.StreamResponseKey, true);
        }

        return HttpClient.SendAsync(request, completionOption, cancellationToken);
    }

    private async Task<TResponse?> SendAsync<TResponse>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<TResponse>? responseType, bool notFoundAsDefault, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var request = new TypedServiceCallRequest(method, new Uri(path, UriKind.RelativeOrAbsolute)) { Content = content };

        // The kit's handler has already read the body within the attempt; do not have HttpClient buffer it again.
        using var response = await HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return responseType is null ? default : await ReadAsync(response, responseType, cancellationToken).ConfigureAwait(false);
        }

        if (notFoundAsDefault && response.StatusCode == HttpStatusCode.NotFound)
        {
            return default;
        }

        throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TResponse> ReadAsync<TResponse>(HttpResponseMessage response, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        // ReadFromJsonAsync lets Encoding's NotSupportedException (charset=utf-7) through as it is: a 500 for what is
        // the dependency's fault. The charset is settled here instead, before a byte is decoded.
        if (!TryGetEncoding(response.Content.Headers.ContentType?.CharSet, out var encoding))
        {
            throw new ServiceCallException(Name, ServiceCallFailure.InvalidResponse, response.StatusCode,
                innerException: new FormatException("The response's charset is not an encoding this service can decode."));
        }

        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var utf8 = encoding is null ? body : Encoding.CreateTranscodingStream(body, encoding, Encoding.UTF8, leaveOpen: true);
                await using (utf8.ConfigureAwait(false))
                {
                    var value = await JsonSerializer.DeserializeAsync(utf8, responseType, cancellationToken).ConfigureAwait(false);
                    return value ?? throw new ServiceCallException(Name, ServiceCallFailure.InvalidResponse, response.StatusCode, innerException: new JsonException("The response body is JSON null."));
                }
            }
        }
        catch (JsonException exception)
        {
            // Left alone, a JsonException would leave this service as a 400 "malformed JSON" — blaming our caller
            // for the dependency's bad answer. It also covers a body that does not fit the type: a null for a
            // non-nullable member, a missing constructor parameter (see ServiceClientOptions.SerializerOptions).
            throw new ServiceCallException(Name, ServiceCallFailure.InvalidResponse, response.StatusCode, innerException: exception);
        }
    }

    /// <summary>The encoding of a response body: <see langword="null"/> for UTF-8 (read as it is), <see langword="false"/> for one that cannot be decoded.</summary>
    private static bool TryGetEncoding(string? charset, out Encoding? encoding)
    {
        encoding = null;

        // RFC 9110 §8.3.1: charset="utf-8" is charset=utf-8.
        if (charset is { Length: >= 2 } && charset[0] == '"' && charset[^1] == '"')
        {
            charset = charset[1..^1];
        }

        if (string.IsNullOrEmpty(charset) || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        try
        {
            var named = Encoding.GetEncoding(charset);
            encoding = named.CodePage == Encoding.UTF8.CodePage ? null : named;
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (NotSupportedException)
        {
            // UTF-7: known to .NET, refused since .NET 5.
            return false;
        }
    }

    private async Task<ServiceCallException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? code = null;
        string? detail = null;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is not null && (mediaType.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            && response.Content.Headers.ContentLength is null or <= MaxProblemBytes)
        {
            try
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if (bytes.Length is > 0 and <= MaxProblemBytes)
                {
                    using var document = JsonDocument.Parse(bytes);
                    if (document.RootElement.ValueKind == JsonValueKind.Object)
                    {
                        code = StringMember(document.RootElement, "code");
                        detail = StringMember(document.RootElement, "detail");
                    }
                }
            }
            catch (JsonException)
            {
                // Not a problem document after all: the status alone describes the failure.
            }
        }

        var failure = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            && RetryRules.SameAuthority(response.RequestMessage?.RequestUri, _callerTokenAuthority)
                ? ServiceCallFailure.CallerNotAuthorized
                : ServiceCallFailure.ErrorResponse;
        return new ServiceCallException(Name, failure, response.StatusCode, code, detail);
    }

    private static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)_serializerOptions.GetTypeInfo(typeof(T));

    private static ByteArrayContent Content<T>(T body, JsonTypeInfo<T> requestType)
    {
        ArgumentNullException.ThrowIfNull(requestType);

        // Serialized once into a byte array: every retry sends exactly the same bytes, and the length is known.
        byte[] bytes;
        try
        {
            bytes = JsonSerializer.SerializeToUtf8Bytes(body, requestType);
        }
        catch (JsonException exception)
        {
            // A null in a non-nullable member of our own request (RespectNullableAnnotations): this service's bug, a
            // 500, never the 400 "malformed JSON" that a JsonException would otherwise become for our caller.
            throw new InvalidOperationException($"The request body does not fit {typeof(T).Name}: {exception.Message}", exception);
        }

        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json", "utf-8");
        return content;
    }
}

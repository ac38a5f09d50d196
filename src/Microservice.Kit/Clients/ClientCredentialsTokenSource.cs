using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;

namespace Microservice.Kit.Clients;

/// <summary>
/// A token obtained from another service's token endpoint with the client-credentials grant (RFC 6749 §4.4): the client
/// authenticates with HTTP Basic, the token is reused until shortly before it expires and then renewed, and concurrent
/// callers share one request (a <see cref="CachedTokenSource"/>). A failed request is tried again by the next call;
/// a service client turns it into a 503 <c>DependencyUnavailable</c>.
/// </summary>
public sealed class ClientCredentialsTokenSource : ITokenSource
{
    /// <summary>The token responses read are a few hundred bytes; anything larger is refused rather than buffered.</summary>
    private const int MaxResponseBytes = 64 * 1024;

    private readonly Func<HttpClient> _httpClient;
    private readonly ClientCredentialsTokenOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly CachedTokenSource _cache;

    /// <summary>Creates the source.</summary>
    /// <param name="httpClient">Returns the client for the token endpoint (from <c>IHttpClientFactory</c>, so that its handlers rotate).</param>
    /// <param name="options">The token endpoint, the client id and secret, and the scope.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The endpoint, client id or secret is missing.</exception>
    public ClientCredentialsTokenSource(Func<HttpClient> httpClient, ClientCredentialsTokenOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        if (options.TokenEndpoint is not { IsAbsoluteUri: true })
        {
            throw new ArgumentException("ClientCredentials:TokenEndpoint must be an absolute URL.", nameof(options));
        }

        ArgumentException.ThrowIfNullOrEmpty(options.ClientId, nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.ClientSecret, nameof(options));
        _httpClient = httpClient;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _cache = new CachedTokenSource(AcquireAsync, _timeProvider, options.RefreshBefore);
    }

    /// <inheritdoc />
    public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => _cache.GetTokenAsync(cancellationToken);

    private async ValueTask<ServiceToken> AcquireAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.TokenEndpoint);
        // RFC 6749 §2.3.1: the id and secret are form-urlencoded before they are joined for Basic.
        var credentials = Uri.EscapeDataString(_options.ClientId!) + ":" + Uri.EscapeDataString(_options.ClientSecret!);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        List<KeyValuePair<string, string>> form = [new("grant_type", "client_credentials")];
        if (!string.IsNullOrWhiteSpace(_options.Scope))
        {
            form.Add(new("scope", _options.Scope));
        }

        request.Content = new FormUrlEncodedContent(form);
        var requestedAt = _timeProvider.GetUtcNow();
        using var response = await _httpClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength > MaxResponseBytes)
        {
            throw new HttpRequestException($"The token endpoint {_options.TokenEndpoint} answered with a body too large for a token response.");
        }

        if (!response.IsSuccessStatusCode)
        {
            // The OAuth error code says what to fix (invalid_client: the id or secret; invalid_scope: the scope); the body
            // holds nothing secret, but only that code is kept.
            var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException(
                $"The token endpoint {_options.TokenEndpoint} refused client '{_options.ClientId}': {(int)response.StatusCode}{(error is null ? "" : " " + error)}.",
                inner: null, response.StatusCode);
        }

        var body = await response.Content.ReadFromJsonAsync(TokenResponseContext.Default.TokenEndpointResponse, cancellationToken).ConfigureAwait(false);
        if (body is not { AccessToken.Length: > 0, ExpiresIn: > 0 } || !string.Equals(body.TokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new HttpRequestException($"The token endpoint {_options.TokenEndpoint} answered without a Bearer access_token and a positive expires_in.");
        }

        // From when the request was sent: the token's lifetime started no earlier than that.
        return new ServiceToken(body.AccessToken, requestedAt + TimeSpan.FromSeconds(body.ExpiresIn));
    }

    private static async Task<string?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var error = await response.Content.ReadFromJsonAsync(TokenResponseContext.Default.TokenEndpointError, cancellationToken).ConfigureAwait(false);
            return error?.Error is { Length: > 0 and <= 64 } code && code.All(c => c is >= 'a' and <= 'z' or '_') ? code : null;
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or NotSupportedException)
        {
            return null;   // not a JSON error document: the status says enough
        }
    }

    internal sealed record TokenEndpointResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("token_type")] string? TokenType,
        [property: JsonPropertyName("expires_in")] long ExpiresIn);

    internal sealed record TokenEndpointError([property: JsonPropertyName("error")] string? Error);
}

[JsonSerializable(typeof(ClientCredentialsTokenSource.TokenEndpointResponse))]
[JsonSerializable(typeof(ClientCredentialsTokenSource.TokenEndpointError))]
internal sealed partial class TokenResponseContext : JsonSerializerContext;

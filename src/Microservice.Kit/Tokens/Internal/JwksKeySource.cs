using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// Another service's keys, from its JWKS document. Fetched on first use and again when older than the refresh
/// interval or when a token names an unknown <c>kid</c> (at most once per minimum refresh interval). A failed fetch
/// keeps the last good set, so a briefly unavailable issuer does not log everybody out.
/// </summary>
internal sealed class JwksKeySource : IDisposable, IValidationKeySource
{
    public const string HttpClientName = "Microservice.Kit.Tokens.Jwks";

    /// <summary>A JWKS document is a few keys; anything larger is refused rather than buffered.</summary>
    private const int MaxDocumentBytes = 256 * 1024;

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TokenOptions _options;
    private readonly Uri _url;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile KeySet _keys = KeySet.Empty;

    // UTC ticks; 0 (year 1) means "never", which is long enough ago for every interval without overflowing a subtraction.
    private long _fetchedAtTicks;
    private long _lastAttemptTicks;
    private long _lastUnknownKeyFetchTicks;

    /// <param name="url">The JWKS document of one trusted issuer.</param>
    /// <param name="options">The refresh intervals, shared by every trusted issuer.</param>
    /// <param name="httpClientFactory">Makes the client named <see cref="HttpClientName"/>.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger.</param>
    public JwksKeySource(Uri url, TokenOptions options, IHttpClientFactory httpClientFactory, TimeProvider timeProvider, ILogger<JwksKeySource> logger)
    {
        _url = url;
        _options = options;
        _httpClientFactory = httpClientFactory;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public void Dispose() => _gate.Dispose();

    public ValueTask<KeySet> GetAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow().UtcTicks;
        if (now - Volatile.Read(ref _fetchedAtTicks) < _options.JwksRefreshInterval.Ticks)
        {
            return ValueTask.FromResult(_keys);
        }

        // Never fetched: there is no last good set to serve, so wait for the fetch (the one in flight, or a new one)
        // instead of answering with no keys. Concurrent first requests to a freshly started service used to get
        // 401 for valid tokens this way, found by the reliability suite's soak.
        if (Volatile.Read(ref _fetchedAtTicks) == 0)
        {
            return FirstFetchAsync(cancellationToken);
        }

        // Stale. After a failure, keep serving the last good set and try again only after the minimum interval,
        // so that an unreachable issuer costs one attempt per interval rather than one per request.
        if (now - Volatile.Read(ref _lastAttemptTicks) < _options.JwksMinimumRefreshInterval.Ticks)
        {
            return ValueTask.FromResult(_keys);
        }

        return RefreshAsync(observedAttempt: Volatile.Read(ref _lastAttemptTicks), cancellationToken);
    }

    public ValueTask<KeySet> RefreshForUnknownKeyAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow().UtcTicks;
        var last = Volatile.Read(ref _lastUnknownKeyFetchTicks);
        if (now - last < _options.JwksMinimumRefreshInterval.Ticks
            || Interlocked.CompareExchange(ref _lastUnknownKeyFetchTicks, now, last) != last)
        {
            Log.JwksRefreshRateLimited(_logger);
            return ValueTask.FromResult(_keys);
        }

        return RefreshAsync(observedAttempt: Volatile.Read(ref _lastAttemptTicks), cancellationToken);
    }

    private async ValueTask<KeySet> FirstFetchAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Whoever held the gate before fetched (use its keys) or failed just now (do not hammer an issuer that
            // is down: the next attempt waits for the minimum interval, like every refresh).
            var attempted = Volatile.Read(ref _lastAttemptTicks);
            if (Volatile.Read(ref _fetchedAtTicks) != 0
                || (attempted != 0 && _timeProvider.GetUtcNow().UtcTicks - attempted < _options.JwksMinimumRefreshInterval.Ticks))
            {
                return _keys;
            }

            return await FetchUnderGateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<KeySet> RefreshAsync(long observedAttempt, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Single flight: if another caller fetched while this one waited, use its result.
            if (Volatile.Read(ref _lastAttemptTicks) != observedAttempt)
            {
                return _keys;
            }

            return await FetchUnderGateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Fetches the key set; the caller holds <see cref="_gate"/>.</summary>
    private async ValueTask<KeySet> FetchUnderGateAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow().UtcTicks;
        Volatile.Write(ref _lastAttemptTicks, now);
        try
        {
            var keys = await FetchAsync(cancellationToken).ConfigureAwait(false);
            var current = _keys;
            _keys = new KeySet(keys, current.NextEpoch(keys));
            Volatile.Write(ref _fetchedAtTicks, now);
            TokenMetrics.JwksFetches.Add(1, new KeyValuePair<string, object?>("status", "success"));
            Log.JwksFetched(_logger, keys.Count);
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or InvalidDataException or TaskCanceledException or ArgumentException or CryptographicException or FormatException)
        {
            TokenMetrics.JwksFetches.Add(1, new KeyValuePair<string, object?>("status", "failure"));
            Log.JwksFetchFailed(_logger, exception.GetType().Name, exception);
        }

        return _keys;
    }

    private async Task<IReadOnlyList<TrustedKey>> FetchAsync(CancellationToken cancellationToken)
    {
        var client = _httpClientFactory.CreateClient(HttpClientName);
        using var response = await client.GetAsync(_url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        if (response.Content.Headers.ContentLength > MaxDocumentBytes)
        {
            throw new InvalidDataException("The JWKS document is too large.");
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxDocumentBytes)
                {
                    throw new InvalidDataException("The JWKS document is too large.");
                }

                buffer.Write(chunk, 0, read);
            }

            return Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
    }

    /// <summary>
    /// Reads the public keys a JWKS document offers for signatures. Symmetric (<c>oct</c>) keys are ignored — a
    /// published secret is no secret, and accepting one would reopen algorithm confusion — as are keys without a
    /// well-formed <c>kid</c>, keys for encryption (<c>use</c> other than <c>sig</c>, or <c>key_ops</c> without <c>verify</c>), and algorithms other than ES256 and RS256.
    /// </summary>
    internal static IReadOnlyList<TrustedKey> Parse(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("keys", out var keysElement)
            || keysElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("The JWKS document has no 'keys' array.");
        }

        var keys = new List<TrustedKey>();
        foreach (var element in keysElement.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var kid = GetString(element, "kid");
            var kty = GetString(element, "kty");
            var use = GetString(element, "use");
            var alg = GetString(element, "alg");
            if (!KeyIds.IsWellFormed(kid) || (use is not null && use != "sig") || !AllowsVerify(element))
            {
                continue;
            }

            if (kty == "EC" && GetString(element, "crv") == "P-256" && (alg ?? SecurityAlgorithms.EcdsaSha256) == SecurityAlgorithms.EcdsaSha256)
            {
                var parameters = new ECParameters
                {
                    Curve = ECCurve.NamedCurves.nistP256,
                    Q = new ECPoint { X = Decode(element, "x"), Y = Decode(element, "y") },
                };
                var ecdsa = ECDsa.Create(parameters);
                keys.Add(new TrustedKey(kid!, SecurityAlgorithms.EcdsaSha256, new ECDsaSecurityKey(ecdsa) { KeyId = kid }));
            }
            else if (kty == "RSA" && (alg ?? SecurityAlgorithms.RsaSha256) == SecurityAlgorithms.RsaSha256)
            {
                var parameters = new RSAParameters { Modulus = Decode(element, "n"), Exponent = Decode(element, "e") };
                if (parameters.Modulus.Length < 256)
                {
                    continue; // RSA keys below 2048 bits are not trusted.
                }

                var rsa = RSA.Create(parameters);
                keys.Add(new TrustedKey(kid!, SecurityAlgorithms.RsaSha256, new RsaSecurityKey(rsa) { KeyId = kid }));
            }
        }

        return keys;
    }

    /// <summary>A key with <c>key_ops</c> may only be used for the operations it lists (RFC 7517 §4.3); validation needs <c>verify</c>.</summary>
    private static bool AllowsVerify(JsonElement element) =>
        !element.TryGetProperty("key_ops", out var operations)
        || (operations.ValueKind == JsonValueKind.Array
            && operations.EnumerateArray().Any(o => o.ValueKind == JsonValueKind.String && o.ValueEquals("verify")));

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[] Decode(JsonElement element, string name) =>
        Base64Url.DecodeFromChars(GetString(element, name) ?? throw new InvalidDataException($"A JWKS key lacks '{name}'."));
}

using System.Net;
using Microservice.Kit.Versioning.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microservice.Kit.Versioning;

/// <summary>
/// An outgoing-request handler that writes the API version a client asks for (header, query string or URL segment),
/// learns the versions the server supports from <c>api-supported-versions</c>, asks for the highest one both sides
/// support, retries once when the server rejects a version as unsupported, and reports a deprecated or sunset API
/// (log warning, <see cref="ApiVersionClientOptions.OnDeprecated"/>, <see cref="ApiVersionDiscovery.Deprecated"/>).
/// Add it with <c>AddApiVersion</c> on an <c>IHttpClientBuilder</c>.
/// </summary>
public sealed class ApiVersionHandler : DelegatingHandler
{
    private const string Placeholder = "{version}";
    private const string EscapedPlaceholder = "%7Bversion%7D";

    private readonly ApiVersionClientOptions _options;
    private readonly ApiVersionDiscovery _discovery;
    private readonly ILogger _logger;

    // The versions the client understands, highest first.
    private readonly ApiVersion[] _versions;

    /// <summary>Creates the handler.</summary>
    /// <param name="options">The versions to ask for and how.</param>
    /// <param name="discovery">The shared store of what servers support.</param>
    /// <param name="logger">Where deprecation warnings and negotiation go; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">The options name no version, or one that is not a version.</exception>
    public ApiVersionHandler(ApiVersionClientOptions options, ApiVersionDiscovery discovery, ILogger<ApiVersionHandler>? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(discovery);
        _options = options;
        _discovery = discovery;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        var versions = new List<ApiVersion>();
        foreach (var text in options.Versions)
        {
            versions.Add(ApiVersion.TryParse(text, out var version)
                ? version
                : throw new ArgumentException($"ApiVersionClientOptions.Versions: '{text}' is not an API version (expected 1.0, 2, 2.1-beta or 2026-11-28).", nameof(options)));
        }

        if (versions.Count == 0)
        {
            throw new ArgumentException("ApiVersionClientOptions.Versions names no version: give the versions this client understands, such as [\"2.0\", \"1.0\"].", nameof(options));
        }

        if (options.Location != ApiVersionLocation.UrlSegment && string.IsNullOrWhiteSpace(options.ParameterName))
        {
            throw new ArgumentException("ApiVersionClientOptions.ParameterName must name the header or query parameter.", nameof(options));
        }

        _versions = [.. versions.Distinct().OrderDescending()];
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var original = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var service = ApiVersionDiscovery.KeyOf(original);
        var version = Choose(_discovery.Supported(service)) ?? _versions[0];
        Write(request, original, version);

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var supported = Learn(service, response);
        if (_options.Negotiate && response.StatusCode == HttpStatusCode.BadRequest && supported is not null
            && Array.IndexOf(supported, version) < 0 && Choose(supported) is { } better && better != version && CanResend(request))
        {
            // The server answered UnsupportedApiVersion (a 400 that lists versions without ours): one more try.
            Log.Retrying(_logger, service, version, better, request.Method.Method, 400, ApiVersioningConstants.UnsupportedApiVersion);
            VersioningMetrics.ClientRetries.Add(1);
            response.Dispose();
            version = better;
            Write(request, original, version);
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Learn(service, response);
        }

        Report(service, request.Method.Method, version, response);
        return response;
    }

    private static bool CanResend(HttpRequestMessage request) =>
        request.Content is null or ByteArrayContent or System.Net.Http.Json.JsonContent or ReadOnlyMemoryContent;

    private ApiVersion? Choose(ApiVersion[]? supported)
    {
        if (supported is null)
        {
            return null;
        }

        foreach (var version in _versions)
        {
            if (Array.IndexOf(supported, version) >= 0)
            {
                return version;
            }
        }

        return null;
    }

    private void Write(HttpRequestMessage request, Uri original, ApiVersion version)
    {
        switch (_options.Location)
        {
            case ApiVersionLocation.Header:
                request.Headers.Remove(_options.ParameterName);
                request.Headers.TryAddWithoutValidation(_options.ParameterName, version.ToString());
                break;
            case ApiVersionLocation.Query:
                request.RequestUri = WithQuery(original, _options.ParameterName, version.ToString());
                break;
            default:
                var text = original.IsAbsoluteUri ? original.AbsoluteUri : original.OriginalString;
                var segment = version.ToString("S", null);
                text = text.Replace(Placeholder, segment, StringComparison.OrdinalIgnoreCase)
                    .Replace(EscapedPlaceholder, segment, StringComparison.OrdinalIgnoreCase);
                request.RequestUri = new Uri(text, original.IsAbsoluteUri ? UriKind.Absolute : UriKind.Relative);
                break;
        }
    }

    private static Uri WithQuery(Uri uri, string name, string value)
    {
        var builder = new UriBuilder(uri);
        var kept = builder.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => !pair.Split('=')[0].Equals(name, StringComparison.OrdinalIgnoreCase));
        builder.Query = string.Join('&', kept.Append(Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value)));
        return builder.Uri;
    }

    private ApiVersion[]? Learn(string service, HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues(ApiVersioningConstants.SupportedVersionsHeader, out var values))
        {
            return null;
        }

        var parsed = new List<ApiVersion>();
        ApiVersionHeaders.ParseVersionList(values, parsed);
        if (parsed.Count == 0)
        {
            return null;
        }

        ApiVersion[] supported = [.. parsed.Distinct().Order()];
        var previous = _discovery.Supported(service);
        if (previous is null || !previous.AsSpan().SequenceEqual(supported))
        {
            _discovery.Learn(service, supported);
            if (_logger.IsEnabled(LogLevel.Information))
            {
                var list = string.Join(", ", supported);
                var chosen = Choose(supported) ?? _versions[0];
                Log.Negotiated(_logger, service, list, chosen);
            }
        }

        return supported;
    }

    private void Report(string service, string operation, ApiVersion version, HttpResponseMessage response)
    {
        DateTimeOffset? deprecatedOn = null;
        DateTimeOffset? sunset = null;
        var deprecated = false;
        if (response.Headers.TryGetValues(ApiVersioningConstants.DeprecationHeader, out var deprecation))
        {
            deprecated = true;
            if (ApiVersionHeaders.TryParseDeprecation(deprecation.FirstOrDefault(), out var date))
            {
                deprecatedOn = date;
            }
        }

        if (response.Headers.TryGetValues(ApiVersioningConstants.SunsetHeader, out var sunsetValues)
            && ApiVersionHeaders.TryParseHttpDate(sunsetValues.FirstOrDefault(), out var sunsetDate))
        {
            sunset = sunsetDate;
        }

        if (!deprecated && response.Headers.TryGetValues(ApiVersioningConstants.DeprecatedVersionsHeader, out var deprecatedValues))
        {
            var list = new List<ApiVersion>();
            ApiVersionHeaders.ParseVersionList(deprecatedValues, list);
            deprecated = list.Contains(version);
        }

        if (!deprecated && sunset is null)
        {
            return;
        }

        var pastSunset = sunset is { } s && s <= _discovery.TimeProvider.GetUtcNow();
        if (!_discovery.ShouldNotify(service, version, pastSunset))
        {
            return;
        }

        if (pastSunset)
        {
            Log.SunsetApiCalled(_logger, service, version, sunset, operation);
        }
        else
        {
            Log.DeprecatedApiCalled(_logger, service, version, deprecatedOn, sunset, operation);
        }

        var notice = new ApiDeprecationEventArgs(new Uri(service), version, deprecatedOn, sunset, pastSunset);
        _options.OnDeprecated?.Invoke(notice);
        _discovery.Raise(this, notice);
    }
}

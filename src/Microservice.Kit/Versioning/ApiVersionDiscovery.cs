using System.Collections.Concurrent;

namespace Microservice.Kit.Versioning;

/// <summary>
/// What clients have learned about the API versions of the services they call, per service (scheme, host and
/// port), shared by every versioned <c>HttpClient</c> of the application (a singleton). Subscribe to
/// <see cref="Deprecated"/> to hear when a called API is deprecated or past its sunset.
/// </summary>
public sealed class ApiVersionDiscovery
{
    private readonly ConcurrentDictionary<string, ApiVersion[]> _supported = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string Service, ApiVersion Version), bool> _notified = new();

    /// <summary>Creates the store.</summary>
    /// <param name="timeProvider">The clock that decides whether a sunset has passed.</param>
    public ApiVersionDiscovery(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        TimeProvider = timeProvider;
    }

    /// <summary>Raised the first time a service says the version in use is deprecated, and again once it is past its sunset.</summary>
    public event EventHandler<ApiDeprecationEventArgs>? Deprecated;

    internal TimeProvider TimeProvider { get; }

    /// <summary>The versions a service last said it supports, oldest first, or <see langword="null"/> when it has not said.</summary>
    /// <param name="service">Any URI of the service; only its scheme, host and port count.</param>
    /// <returns>The versions, or <see langword="null"/>.</returns>
    public IReadOnlyList<ApiVersion>? GetSupportedVersions(Uri service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return _supported.TryGetValue(KeyOf(service), out var versions) ? versions : null;
    }

    internal static string KeyOf(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    internal ApiVersion[]? Supported(string service) => _supported.GetValueOrDefault(service);

    internal void Learn(string service, ApiVersion[] versions) => _supported[service] = versions;

    /// <summary>Whether to raise a notice: once per service and version while deprecated, once more past sunset.</summary>
    internal bool ShouldNotify(string service, ApiVersion version, bool pastSunset)
    {
        var key = (service, version);
        if (_notified.TryGetValue(key, out var wasPastSunset) && (wasPastSunset || !pastSunset))
        {
            return false;
        }

        _notified[key] = pastSunset;
        return true;
    }

    internal void Raise(object sender, ApiDeprecationEventArgs notice) => Deprecated?.Invoke(sender, notice);
}

using System.Collections.Frozen;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>One issuer validation trusts: its <c>iss</c>, the audiences accepted from it, and where its keys come from.</summary>
internal sealed class TrustedIssuer(string name, string issuer, string[] audiences, IValidationKeySource keys)
{
    /// <summary>The configuration key that declared it, for messages (<c>TrustedIssuers:employees</c>, <c>JwksUrl</c>, <c>local</c>).</summary>
    public string Name { get; } = name;

    public string Issuer { get; } = issuer;

    public string[] Audiences { get; } = audiences;

    public IValidationKeySource Keys { get; } = keys;

    /// <summary>The validation parameters for the last key set seen; rebuilt when the key set changes.</summary>
    public volatile object? Parameters;
}

/// <summary>
/// Every issuer validation trusts, built once from <see cref="TokenOptions"/>: this service's own key ring (when it issues or
/// has keys), the single <see cref="TokenOptions.JwksUrl"/> form, and each <see cref="TokenOptions.TrustedIssuers"/> entry.
/// A token is checked against the one whose <c>iss</c> it names; <c>iss</c> only selects, the selected issuer's keys decide.
/// </summary>
internal sealed class TrustedIssuerSet : IDisposable
{
    private readonly FrozenDictionary<string, int> _indexByIssuer;
    private readonly List<IDisposable> _owned;

    public TrustedIssuerSet(IReadOnlyList<TrustedIssuer> issuers, List<IDisposable>? owned = null)
    {
        All = [.. issuers];
        _owned = owned ?? [];
        _indexByIssuer = All.Select((issuer, index) => KeyValuePair.Create(issuer.Issuer, index)).ToFrozenDictionary(StringComparer.Ordinal);
    }

    public TrustedIssuer[] All { get; }

    /// <summary>The index of the issuer a token's unverified <c>iss</c> names, or -1.</summary>
    public int IndexOf(string? issuer) => issuer is not null && _indexByIssuer.TryGetValue(issuer, out var index) ? index : -1;

    public static TrustedIssuerSet Create(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<TokenOptions>>().Value;
        var roles = provider.GetRequiredService<TokenRoles>();
        var issuers = new List<TrustedIssuer>();
        var owned = new List<IDisposable>();
        JwksKeySource Jwks(string url)
        {
            var source = new JwksKeySource(
                new Uri(url, UriKind.Absolute), options, provider.GetRequiredService<IHttpClientFactory>(),
                provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<JwksKeySource>>());
            owned.Add(source);
            return source;
        }

        if (options.JwksUrl is not null)
        {
            issuers.Add(new TrustedIssuer("JwksUrl", options.Issuer!, [options.Audience!], Jwks(options.JwksUrl)));
        }
        else if (roles.TrustsLocalKeys(options))
        {
            issuers.Add(new TrustedIssuer("local", options.Issuer!, [options.Audience!], provider.GetRequiredService<LocalKeyRing>()));
        }

        foreach (var (name, trusted) in options.TrustedIssuers.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            issuers.Add(new TrustedIssuer("TrustedIssuers:" + name, trusted.Issuer!, [.. trusted.Audiences], Jwks(trusted.JwksUrl!)));
        }

        return new TrustedIssuerSet(issuers, owned);
    }

    public void Dispose()
    {
        foreach (var disposable in _owned)
        {
            disposable.Dispose();
        }
    }
}

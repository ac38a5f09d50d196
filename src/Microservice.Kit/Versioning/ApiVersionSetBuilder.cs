using Microservice.Kit.Versioning.Internal;

namespace Microservice.Kit.Versioning;

/// <summary>Declares the versions a versioned route group serves (see <c>MapVersionedGroup</c>).</summary>
public sealed class ApiVersionSetBuilder
{
    private readonly List<ApiVersion> _supported = [];
    private readonly List<ApiVersionDeprecation> _deprecated = [];

    internal ApiVersionSetBuilder()
    {
    }

    /// <summary>The group serves this version.</summary>
    /// <param name="version">The version.</param>
    /// <returns>This builder.</returns>
    public ApiVersionSetBuilder HasVersion(ApiVersion version)
    {
        _supported.Add(version);
        return this;
    }

    /// <summary>The group serves this version (<c>1.0</c>, <c>2.0</c>).</summary>
    /// <param name="version">The version as a number.</param>
    /// <returns>This builder.</returns>
    public ApiVersionSetBuilder HasVersion(double version) => HasVersion(new ApiVersion(version));

    /// <summary>
    /// The group still serves this version but it is deprecated: it is listed in <c>api-deprecated-versions</c>, and
    /// its responses carry <c>Deprecation</c> and <c>Sunset</c> when dates are known (given here, or in
    /// <c>MicroserviceKit:Versioning:Deprecations</c>).
    /// </summary>
    /// <param name="version">The version.</param>
    /// <param name="deprecatedOn">When it was deprecated, or <see langword="null"/> to take it from the options.</param>
    /// <param name="sunsetOn">When it stops being served, or <see langword="null"/> to take it from the options.</param>
    /// <returns>This builder.</returns>
    public ApiVersionSetBuilder HasDeprecatedVersion(ApiVersion version, DateTimeOffset? deprecatedOn, DateTimeOffset? sunsetOn)
    {
        _deprecated.Add(new ApiVersionDeprecation(version, deprecatedOn, sunsetOn, null, null));
        return this;
    }

    /// <summary>The group still serves this version but it is deprecated, with its dates from <c>MicroserviceKit:Versioning:Deprecations</c>.</summary>
    /// <param name="version">The version.</param>
    /// <returns>This builder.</returns>
    public ApiVersionSetBuilder HasDeprecatedVersion(ApiVersion version) => HasDeprecatedVersion(version, null, null);

    /// <summary>The group still serves this version (<c>1.0</c>) but it is deprecated, with its dates from <c>MicroserviceKit:Versioning:Deprecations</c>.</summary>
    /// <param name="version">The version as a number.</param>
    /// <returns>This builder.</returns>
    public ApiVersionSetBuilder HasDeprecatedVersion(double version) => HasDeprecatedVersion(new ApiVersion(version), null, null);

    /// <summary>Builds the set: declared versions, or the options' when none were declared; deprecation details merged from the options.</summary>
    internal ApiVersionSet Build(ApiVersioningOptions options)
    {
        var fromOptions = options.Deprecations.ToDictionary(d => ApiVersion.Parse(d.Version), d => d);
        IEnumerable<ApiVersion> supported;
        List<ApiVersionDeprecation> deprecated;
        if (_supported.Count == 0 && _deprecated.Count == 0)
        {
            supported = options.SupportedVersions.Count == 0
                ? [ApiVersion.Parse(options.DefaultVersion)]
                : options.SupportedVersions.Select(ApiVersion.Parse);
            deprecated = [.. fromOptions.Select(pair => Merge(new ApiVersionDeprecation(pair.Key, null, null, null, null), pair.Value))];
        }
        else
        {
            supported = _supported;
            deprecated = [.. _deprecated.Select(d => Merge(d, fromOptions.GetValueOrDefault(d.Version)))];
        }

        return new ApiVersionSet(supported, deprecated, ApiVersion.Parse(options.DefaultVersion), options.AssumeDefaultVersionWhenUnspecified);
    }

    private static ApiVersionDeprecation Merge(ApiVersionDeprecation declared, ApiVersionDeprecationOptions? configured) =>
        configured is null
            ? declared
            : declared with
            {
                Date = declared.Date ?? configured.Date,
                Sunset = declared.Sunset ?? configured.Sunset,
                Link = configured.Link,
                SunsetLink = configured.SunsetLink,
            };
}

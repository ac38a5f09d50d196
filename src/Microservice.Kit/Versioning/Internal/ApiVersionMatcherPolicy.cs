using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Versioning.Internal;

/// <summary>
/// Selects among the versioned copies of a route by the version the request names, during routing, so that an
/// unknown version in the URL (<c>/api/v3/employees</c>) is a 400 <c>UnsupportedApiVersion</c> and not a 404, and
/// so that per-version handlers of the same path never collide. The decision is made before authentication runs:
/// the error endpoints it selects allow anonymous callers, so a version error never needs a token.
/// </summary>
internal sealed class ApiVersionMatcherPolicy(IOptions<ApiVersioningOptions> options) : MatcherPolicy, IEndpointSelectorPolicy
{
    private readonly ApiVersionReader _reader = ApiVersionReader.From(options.Value);

    // After the HTTP method policy (a node policy, already applied to the candidates) and before most others.
    public override int Order => -500;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (endpoints[i].Metadata.GetMetadata<ApiVersionEndpointMetadata>() is not null)
            {
                return true;
            }
        }

        return false;
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(candidates);

        var read = false;
        var requestStatus = ApiVersionReadStatus.None;
        ApiVersion requested = default;
        var firstVersioned = -1;
        ApiVersionEndpointMetadata? selected = null;
        ApiVersion selectedVersion = default;

        // The most telling failure wins: a malformed or ambiguous request, then a version nobody serves.
        var error = ApiVersionReadStatus.None;
        ApiVersionEndpointMetadata? failed = null;
        ApiVersion failedVersion = default;
        var unspecified = false;
        string? rawSegment = null;

        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i) || candidates[i].Endpoint.Metadata.GetMetadata<ApiVersionEndpointMetadata>() is not { } model)
            {
                continue;
            }

            if (firstVersioned < 0)
            {
                firstVersioned = i;
            }

            if (!read)
            {
                requestStatus = _reader.Read(httpContext.Request, out requested);
                read = true;
            }

            failed ??= model;
            if (requestStatus is ApiVersionReadStatus.Invalid or ApiVersionReadStatus.Ambiguous)
            {
                error = requestStatus;
                candidates.SetValidity(i, false);
                continue;
            }

            var status = requestStatus;
            var version = requested;
            if (model.Kind == ApiVersionRouteKind.Literal)
            {
                Combine(ref status, ref version, model.Literal);
            }
            else if (model.Kind == ApiVersionRouteKind.Parameter)
            {
                var segment = VersionSegmentConstraint.VersionOf(candidates[i].Values?[ApiVersionEndpointMetadata.RouteParameter] as string);
                if (!ApiVersion.TryParse(segment, out var fromSegment))
                {
                    error = ApiVersionReadStatus.Invalid;
                    rawSegment = segment;
                    candidates.SetValidity(i, false);
                    continue;
                }

                Combine(ref status, ref version, fromSegment);
            }

            if (status == ApiVersionReadStatus.Ambiguous)
            {
                error = ApiVersionReadStatus.Ambiguous;
                candidates.SetValidity(i, false);
                continue;
            }

            if (status == ApiVersionReadStatus.None)
            {
                if (!model.Set.AssumeDefault)
                {
                    unspecified = true;
                    candidates.SetValidity(i, false);
                    continue;
                }

                version = model.Set.DefaultVersion;
            }

            if (!model.Serves(version))
            {
                failedVersion = version;
                candidates.SetValidity(i, false);
                continue;
            }

            if (selected is null)
            {
                selected = model;
                selectedVersion = version;
            }
        }

        if (firstVersioned < 0)
        {
            return Task.CompletedTask;
        }

        var feature = new ApiVersionFeature();
        httpContext.Features.Set(feature);
        if (selected is not null)
        {
            feature.Version = selectedVersion;
            feature.Set = selected.Set;
            Report(httpContext.Response, selected.Set, selectedVersion);
            return Task.CompletedTask;
        }

        // Nothing serves the request: answer from here with a 400 rather than let routing fall through to 404.
        feature.Set = failed!.Set;
        feature.Error = error;
        feature.RawSegment = rawSegment;
        feature.Requested = failedVersion;
        feature.Unspecified = error == ApiVersionReadStatus.None && unspecified;
        feature.Unsupported = error == ApiVersionReadStatus.None && !feature.Unspecified;
        ReportVersions(httpContext.Response, failed.Set);

        candidates.ReplaceEndpoint(firstVersioned, ApiVersionErrorEndpoint.Instance, candidates[firstVersioned].Values);
        candidates.SetValidity(firstVersioned, true);
        return Task.CompletedTask;
    }

    internal static void ReportVersions(HttpResponse response, ApiVersionSet set)
    {
        response.Headers[ApiVersioningConstants.SupportedVersionsHeader] = set.SupportedHeader;
        if (set.Deprecated.Length != 0)
        {
            response.Headers[ApiVersioningConstants.DeprecatedVersionsHeader] = set.DeprecatedHeader;
        }
    }

    internal static void Report(HttpResponse response, ApiVersionSet set, ApiVersion version)
    {
        ReportVersions(response, set);
        if (set.Deprecated.Length == 0 || set.DeprecationOf(version) is not { } deprecation)
        {
            return;
        }

        var headers = response.Headers;
        if (deprecation.DeprecationHeader.Count != 0)
        {
            headers[ApiVersioningConstants.DeprecationHeader] = deprecation.DeprecationHeader;
        }

        if (deprecation.SunsetHeader.Count != 0)
        {
            headers[ApiVersioningConstants.SunsetHeader] = deprecation.SunsetHeader;
        }

        if (deprecation.Links.Count != 0)
        {
            headers.Append("Link", deprecation.Links);
        }
    }

    private static void Combine(ref ApiVersionReadStatus status, ref ApiVersion version, ApiVersion fromRoute)
    {
        if (status == ApiVersionReadStatus.None)
        {
            status = ApiVersionReadStatus.Found;
            version = fromRoute;
        }
        else if (version != fromRoute)
        {
            status = ApiVersionReadStatus.Ambiguous;
        }
    }
}

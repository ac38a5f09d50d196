using Microservice.Kit.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Microservice.Kit.Files.Internal;

/// <summary>
/// The parts of RFC 9110's conditional and range requests that ASP.NET Core's file results read differently, applied
/// before they run; everything else (ranges, 304, 412 on <c>If-Match</c>) stays theirs.
/// </summary>
internal static class FilePreconditions
{
    public static PreconditionFailedException Failed(string fileId) =>
        new($"File '{fileId}' has changed: If-Match does not name its current version.");

    /// <summary>
    /// Drops the request headers that RFC 9110 says to ignore here, so that the file result does not act on them.
    /// The request is changed in place: nothing after the download result reads these headers.
    /// </summary>
    /// <param name="request">The download request.</param>
    /// <param name="lastModified">The <c>Last-Modified</c> the response carries (whole seconds).</param>
    public static void IgnoreWhatRfc9110Ignores(HttpRequest request, DateTimeOffset lastModified)
    {
        var headers = request.Headers;

        // §13.1.4: If-Unmodified-Since is ignored when If-Match is present (the entity tag is the stronger validator).
        if (!StringValues.IsNullOrEmpty(headers.IfMatch))
        {
            headers.Remove(HeaderNames.IfUnmodifiedSince);
        }

        if (StringValues.IsNullOrEmpty(headers.Range))
        {
            return;
        }

        // §14.2: a range unit the server does not support is ignored; "bytes" is the only one (case-insensitive, §14.1).
        if (!IsBytesUnit(headers.Range))
        {
            headers.Remove(HeaderNames.Range);
            return;
        }

        // §13.1.5: an If-Range date matches only when it is exactly Last-Modified; a later date is not "unchanged since".
        if (!StringValues.IsNullOrEmpty(headers.IfRange)
            && RangeConditionHeaderValue.TryParse(headers.IfRange.ToString(), out var condition)
            && condition.LastModified is { } date
            && date != lastModified)
        {
            headers.Remove(HeaderNames.Range);
        }
    }

    /// <summary>Rounds a stored time down to the whole second, as <c>Last-Modified</c> (an HTTP-date) carries it.</summary>
    public static DateTimeOffset ToHttpDate(DateTimeOffset time) =>
        new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);

    private static bool IsBytesUnit(StringValues range)
    {
        // Malformed or multiple byte ranges are ASP.NET Core's to ignore; only the unit is decided here.
        foreach (var value in range)
        {
            var unit = value.AsSpan().TrimStart();
            var equals = unit.IndexOf('=');
            if (equals < 0 || !unit[..equals].Trim().Equals("bytes", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}

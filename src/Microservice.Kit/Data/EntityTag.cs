using System.Globalization;

namespace Microservice.Kit.Data;

/// <summary>
/// Turns an entity's <see cref="IEntity{TId}.Version"/> into an HTTP entity tag (<c>"3"</c>, quotes included) and back,
/// so that <c>ETag</c> / <c>If-Match</c> (RFC 9110 §8.8.3, §13.1.1) map onto the repository's optimistic concurrency.
/// </summary>
public static class EntityTag
{
    /// <summary>
    /// The version <see cref="ParseIfMatch(string?)"/> returns for a tag that can never match: weak, malformed, or a
    /// list of several tags. No stored entity has it, so an update with it fails with 412 as RFC 9110 requires.
    /// </summary>
    public const long NoMatch = 0;

    /// <summary>Formats a version as a strong entity tag: 3 becomes <c>"3"</c> (with the quotes).</summary>
    /// <param name="version">The entity's version.</param>
    /// <returns>The value for an <c>ETag</c> header.</returns>
    public static string FromVersion(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>Reads a version from one strong entity tag made by <see cref="FromVersion(long)"/>.</summary>
    /// <param name="tag">The tag, with its quotes.</param>
    /// <param name="version">The version, when the tag is one of ours.</param>
    /// <returns>Whether the tag is one of ours.</returns>
    public static bool TryParse(ReadOnlySpan<char> tag, out long version)
    {
        tag = tag.Trim();
        version = 0;
        return tag.Length >= 3 && tag[0] == '"' && tag[^1] == '"'
            && long.TryParse(tag[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out version)
            && version > 0;
    }

    /// <summary>
    /// Reads the version an <c>If-Match</c> header asks for, for <see cref="IRepository{TEntity, TId}.UpdateAsync(TEntity, long?, CancellationToken)"/> and
    /// <see cref="IRepository{TEntity, TId}.DeleteAsync"/>.
    /// </summary>
    /// <param name="ifMatch">The header's value, or <see langword="null"/> when it was not sent.</param>
    /// <returns>
    /// <see langword="null"/> when the header is absent or <c>*</c> (no version check); the version for one strong tag of
    /// ours; <see cref="NoMatch"/> for anything else (a weak tag, which If-Match never matches, a malformed one, or
    /// several), so that the write fails with 412 rather than going ahead unchecked.
    /// </returns>
    public static long? ParseIfMatch(string? ifMatch)
    {
        if (ifMatch is null || ifMatch.AsSpan().Trim().IsEmpty)
        {
            return null;
        }

        if (ifMatch.AsSpan().Trim() is "*")
        {
            return null;
        }

        return TryParse(ifMatch, out var version) ? version : NoMatch;
    }
}

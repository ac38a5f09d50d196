using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Microservice.Kit.Files.Internal;

/// <summary>What is kept of client-supplied metadata: names and media types are untrusted input served back in headers.</summary>
internal static class FileMetadataRules
{
    public const string DefaultContentType = "application/octet-stream";

    /// <summary>
    /// Keeps the last path segment of a client's file name without control, format, quote or path characters, at
    /// most 255 characters: <c>..\..\evil"name.pdf</c> becomes <c>evilname.pdf</c>. Returns <see langword="null"/> when nothing is left.
    /// </summary>
    public static string? SanitizeFileName(string? fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName))
        {
            return null;
        }

        var name = fileName.AsSpan();
        var lastSeparator = name.LastIndexOfAny('/', '\\');
        if (lastSeparator >= 0)
        {
            name = name[(lastSeparator + 1)..];
        }

        var buffer = new System.Text.StringBuilder(Math.Min(name.Length, FileStoreConstants.MaxFileNameLength));
        foreach (var c in name)
        {
            if (buffer.Length >= FileStoreConstants.MaxFileNameLength)
            {
                break;
            }

            // Format characters (Unicode category Cf) are invisible: U+202E RIGHT-TO-LEFT OVERRIDE makes
            // "invoice\u202Efdp.exe" display as "invoiceexe.pdf" in a browser's download bar.
            if (char.IsControl(c) || c is '"' or ':' or '*' or '?' or '<' or '>' or '|' || char.IsSurrogate(c)
                || char.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                continue;
            }

            buffer.Append(c);
        }

        var result = buffer.ToString().Trim().Trim('.').Trim();
        return result.Length == 0 ? null : result;
    }

    /// <summary>Keeps a syntactically valid media type of at most 255 characters, or returns <see langword="null"/>.</summary>
    public static string? SanitizeContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType) || contentType.Length > FileStoreConstants.MaxContentTypeLength)
        {
            return null;
        }

        foreach (var c in contentType)
        {
            if (char.IsControl(c) || c > '\u007e')
            {
                return null;
            }
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType.Value is not { } mediaType
            || parsed.MatchesAllTypes || parsed.MatchesAllSubTypes || !mediaType.Contains('/', StringComparison.Ordinal))
        {
            return null;
        }

        return parsed.ToString();
    }
}

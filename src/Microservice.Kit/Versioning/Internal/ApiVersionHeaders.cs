using System.Globalization;

namespace Microservice.Kit.Versioning.Internal;

/// <summary>Formats and parses the reporting headers, always with the invariant culture.</summary>
internal static class ApiVersionHeaders
{
    public static string FormatHttpDate(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);

    public static bool TryParseHttpDate(string? value, out DateTimeOffset date) =>
        DateTimeOffset.TryParseExact(value?.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out date);

    /// <summary>Parses an RFC 9745 <c>Deprecation</c> value: <c>@&lt;unix-seconds&gt;</c>.</summary>
    public static bool TryParseDeprecation(string? value, out DateTimeOffset date)
    {
        date = default;
        var text = value.AsSpan().Trim();
        if (text.Length < 2 || text[0] != '@' || !long.TryParse(text[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        try
        {
            date = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Parses a comma-separated list of versions (<c>api-supported-versions</c>), skipping what is not one.</summary>
    public static void ParseVersionList(IEnumerable<string?> values, ICollection<ApiVersion> into)
    {
        foreach (var value in values)
        {
            foreach (var part in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (ApiVersion.TryParse(part.AsSpan(), out var version))
                {
                    into.Add(version);
                }
            }
        }
    }
}

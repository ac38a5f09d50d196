using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Microservice.Kit.Versioning;

/// <summary>
/// An API version: <c>major[.minor][-status]</c> (<c>1.0</c>, <c>2</c>, <c>2.1-beta</c>) or a date
/// (<c>2026-11-28</c>, optionally <c>2026-11-28-beta</c>), as Asp.Versioning writes them on the wire.
/// </summary>
/// <remarks>
/// <para>A missing minor version is 0: <c>1</c> and <c>1.0</c> are equal and both format as <c>1.0</c>.
/// Parsing from a span allocates nothing unless the version has a status (which is kept as a string).</para>
/// <para>Order: numeric versions before date versions; within each, by number or date; a version with a status
/// (a pre-release) before the same version without one; statuses compare ordinally ignoring case.</para>
/// <para>A minimal-API handler receives the version the request selected by declaring an <see cref="ApiVersion"/>
/// parameter (see <see cref="BindAsync"/>).</para>
/// </remarks>
public readonly struct ApiVersion : IEquatable<ApiVersion>, IComparable<ApiVersion>, ISpanFormattable
{
    private const int MaxNumber = 99_999_999;

    // A date version keeps its date as yyyymmdd in _date; a numeric one has _date == 0.
    private readonly int _major;
    private readonly int _minor;
    private readonly int _date;

    /// <summary>Creates a numeric version.</summary>
    /// <param name="major">The major version, 0 or more.</param>
    /// <param name="minor">The minor version, 0 or more.</param>
    public ApiVersion(int major, int minor)
        : this(major, minor, null)
    {
    }

    /// <summary>Creates a numeric version with a status.</summary>
    /// <param name="major">The major version, 0 or more.</param>
    /// <param name="minor">The minor version, 0 or more.</param>
    /// <param name="status">A status such as <c>beta</c>: letters and digits only, or <see langword="null"/>.</param>
    public ApiVersion(int major, int minor, string? status)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(major);
        ArgumentOutOfRangeException.ThrowIfNegative(minor);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(major, MaxNumber);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minor, MaxNumber);
        ValidateStatus(status);
        _major = major;
        _minor = minor;
        Status = string.IsNullOrEmpty(status) ? null : status;
    }

    /// <summary>Creates a date version.</summary>
    /// <param name="date">The date, from year 1000 on.</param>
    /// <param name="status">A status such as <c>beta</c>: letters and digits only, or <see langword="null"/>.</param>
    public ApiVersion(DateOnly date, string? status)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(date.Year, 1000, nameof(date));
        ValidateStatus(status);
        _date = (date.Year * 10000) + (date.Month * 100) + date.Day;
        Status = string.IsNullOrEmpty(status) ? null : status;
    }

    /// <summary>Creates a date version.</summary>
    /// <param name="date">The date, from year 1000 on.</param>
    public ApiVersion(DateOnly date)
        : this(date, null)
    {
    }

    /// <summary>Creates a numeric version from a number such as <c>1.0</c> or <c>2.1</c>.</summary>
    /// <param name="version">The version; the digits after the point are the minor version.</param>
    public ApiVersion(double version)
        : this(FromDouble(version).Major, FromDouble(version).Minor, null)
    {
    }

    /// <summary>The major version; 0 for a date version.</summary>
    public int Major => _major;

    /// <summary>The minor version; 0 for a date version.</summary>
    public int Minor => _minor;

    /// <summary>The date of a date version, or <see langword="null"/> for a numeric one.</summary>
    public DateOnly? Date => _date == 0 ? null : new DateOnly(_date / 10000, _date / 100 % 100, _date % 100);

    /// <summary>The status (<c>beta</c>, <c>rc1</c>), or <see langword="null"/>.</summary>
    public string? Status { get; }

    /// <summary>Parses a version, throwing when it is not one.</summary>
    /// <param name="text">The text, for example <c>2.0</c>.</param>
    /// <returns>The version.</returns>
    /// <exception cref="FormatException">The text is not a version.</exception>
    public static ApiVersion Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text.AsSpan(), out var version)
            ? version
            : throw new FormatException($"'{text}' is not an API version: expected major[.minor][-status] or yyyy-mm-dd[-status].");
    }

    /// <summary>Parses a version without allocating (unless it has a status).</summary>
    /// <param name="text">The text, for example <c>2.0</c> or <c>2026-11-28</c>; surrounding spaces are ignored.</param>
    /// <param name="version">The version, when the text is one.</param>
    /// <returns>Whether the text is a version.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out ApiVersion version)
    {
        version = default;
        text = text.Trim();
        if (text.IsEmpty)
        {
            return false;
        }

        // A date: yyyy-mm-dd, then an optional -status.
        if (text.Length >= 10 && text[4] == '-' && text[7] == '-'
            && TryDigits(text[..4], out var year) && TryDigits(text.Slice(5, 2), out var month) && TryDigits(text.Slice(8, 2), out var day))
        {
            var rest = text[10..];
            if (year < 1000 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || !TryStatus(rest, out var dateStatus))
            {
                return false;
            }

            version = new ApiVersion(0, 0, (year * 10000) + (month * 100) + day, dateStatus);
            return true;
        }

        var dash = text.IndexOf('-');
        var numbers = dash < 0 ? text : text[..dash];
        var dot = numbers.IndexOf('.');
        var majorText = dot < 0 ? numbers : numbers[..dot];
        var minorText = dot < 0 ? [] : numbers[(dot + 1)..];
        if (!TryDigits(majorText, out var major) || (dot >= 0 && !TryDigits(minorText, out _)))
        {
            return false;
        }

        var minor = 0;
        if (dot >= 0)
        {
            _ = TryDigits(minorText, out minor);
        }

        string? status = null;
        if (dash >= 0 && !TryStatus(text[dash..], out status))
        {
            return false;
        }

        version = new ApiVersion(major, minor, 0, status);
        return true;
    }

    /// <summary>Parses a version.</summary>
    /// <param name="text">The text, or <see langword="null"/>.</param>
    /// <param name="version">The version, when the text is one.</param>
    /// <returns>Whether the text is a version.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out ApiVersion version)
    {
        if (text is null)
        {
            version = default;
            return false;
        }

        return TryParse(text.AsSpan(), out version);
    }

    /// <summary>
    /// Binds a minimal-API handler parameter of this type to the version the request selected (from the URL
    /// segment, header, query string or media type, or the default).
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="parameter">The parameter being bound.</param>
    /// <returns>The selected version, or <see langword="null"/> when the endpoint is not versioned.</returns>
    public static ValueTask<ApiVersion?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult(context.GetRequestedApiVersion());
    }

    /// <summary>Formats the version: <c>1.0</c>, <c>2.1-beta</c>, <c>2026-11-28</c>.</summary>
    /// <returns>The text form.</returns>
    public override string ToString() => ToString(null, null);

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider)
    {
        Span<char> buffer = stackalloc char[24 + (Status?.Length ?? 0)];
        return TryFormat(buffer, out var written, format, formatProvider) ? new string(buffer[..written]) : string.Empty;
    }

    /// <summary>
    /// Formats the version into a span. The format <c>"S"</c> gives the URL-segment form: the major version alone
    /// when the minor is 0 (<c>2</c>), else <c>major.minor</c>; dates and statuses as usual.
    /// </summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="charsWritten">How many characters were written.</param>
    /// <param name="format">Empty for the canonical form, <c>"S"</c> for the URL-segment form.</param>
    /// <param name="provider">Ignored: versions are culture-invariant.</param>
    /// <returns>Whether the destination was large enough.</returns>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
    {
        bool ok;
        if (_date != 0)
        {
            ok = destination.TryWrite(CultureInfo.InvariantCulture, $"{_date / 10000:D4}-{_date / 100 % 100:D2}-{_date % 100:D2}", out charsWritten);
        }
        else if (format.Length == 1 && (format[0] == 'S' || format[0] == 's') && _minor == 0)
        {
            ok = _major.TryFormat(destination, out charsWritten, default, CultureInfo.InvariantCulture);
        }
        else
        {
            ok = destination.TryWrite(CultureInfo.InvariantCulture, $"{_major}.{_minor}", out charsWritten);
        }

        if (!ok)
        {
            return false;
        }

        if (Status is not null)
        {
            if (destination.Length < charsWritten + 1 + Status.Length)
            {
                charsWritten = 0;
                return false;
            }

            destination[charsWritten++] = '-';
            Status.AsSpan().CopyTo(destination[charsWritten..]);
            charsWritten += Status.Length;
        }

        return true;
    }

    /// <inheritdoc/>
    public bool Equals(ApiVersion other) =>
        _major == other._major && _minor == other._minor && _date == other._date
        && string.Equals(Status, other.Status, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ApiVersion other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() =>
        HashCode.Combine(_major, _minor, _date, Status is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Status));

    /// <inheritdoc/>
    public int CompareTo(ApiVersion other)
    {
        // Numeric versions (_date == 0) sort before date versions.
        var byDate = _date.CompareTo(other._date);
        if (byDate != 0)
        {
            return byDate;
        }

        var byMajor = _major.CompareTo(other._major);
        if (byMajor != 0)
        {
            return byMajor;
        }

        var byMinor = _minor.CompareTo(other._minor);
        if (byMinor != 0)
        {
            return byMinor;
        }

        // A pre-release (with a status) comes before the release, as in semantic versioning.
        return (Status, other.Status) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            _ => string.Compare(Status, other.Status, StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>Whether two versions are equal.</summary>
    /// <param name="left">A version.</param>
    /// <param name="right">Another version.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(ApiVersion left, ApiVersion right) => left.Equals(right);

    /// <summary>Whether two versions differ.</summary>
    /// <param name="left">A version.</param>
    /// <param name="right">Another version.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(ApiVersion left, ApiVersion right) => !left.Equals(right);

    /// <summary>Whether a version is older than another.</summary>
    /// <param name="left">A version.</param>
    /// <param name="right">Another version.</param>
    /// <returns>Whether <paramref name="left"/> sorts first.</returns>
    public static bool operator <(ApiVersion left, ApiVersion right) => left.CompareTo(right) < 0;

    /// <summary>Whether a version is newer than another.</summary>
    /// <param name="left">A version.</param>
    /// <param name="right">Another version.</param>
    /// <returns>Whether <paramref name="left"/> sorts last.</returns>
    public static bool operator >(ApiVersion left, ApiVersion right) => left.CompareTo(right) > 0;

    /// <summary>Whether a version is older than or equal to another.</summary>
    /// <param name="left">A version.</param>
    /// <param name="right">Another version.</param>
    /// <returns>Whether <paramref name="left"/> does not sort after <paramref name="right"/>.</returns>
    public static bool operator <=(ApiVersion left, ApiVersion right) => left.CompareTo(right) <= 0;

    /// <summary>Whether a version is newer than or equal to another.</summary>
    /// <param name="left">A version.</param>
    /// <param name="right">Another version.</param>
    /// <returns>Whether <paramref name="left"/> does not sort before <paramref name="right"/>.</returns>
    public static bool operator >=(ApiVersion left, ApiVersion right) => left.CompareTo(right) >= 0;

    private ApiVersion(int major, int minor, int date, string? status)
    {
        _major = major;
        _minor = minor;
        _date = date;
        Status = status;
    }

    private static (int Major, int Minor) FromDouble(double version)
    {
        if (double.IsNaN(version) || version < 0 || version > MaxNumber)
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "An API version is a non-negative number such as 1.0 or 2.1.");
        }

        Span<char> buffer = stackalloc char[32];
        _ = version.TryFormat(buffer, out var written, "R", CultureInfo.InvariantCulture);
        return TryParse(buffer[..written], out var parsed) && parsed._date == 0
            ? (parsed._major, parsed._minor)
            : throw new ArgumentOutOfRangeException(nameof(version), version, "An API version is a non-negative number such as 1.0 or 2.1.");
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 8)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    // rest is empty or "-status"; a status is 1..32 ASCII letters and digits.
    private static bool TryStatus(ReadOnlySpan<char> rest, out string? status)
    {
        status = null;
        if (rest.IsEmpty)
        {
            return true;
        }

        if (rest[0] != '-' || rest.Length < 2 || rest.Length > 33)
        {
            return false;
        }

        foreach (var c in rest[1..])
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        status = rest[1..].ToString();
        return true;
    }

    private static void ValidateStatus(string? status)
    {
        if (!string.IsNullOrEmpty(status) && !TryStatus(("-" + status).AsSpan(), out _))
        {
            throw new ArgumentException("A status is 1 to 32 ASCII letters and digits.", nameof(status));
        }
    }
}

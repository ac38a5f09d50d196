using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Microservice.Kit.Versioning.Internal;

/// <summary>What reading a request's version found.</summary>
internal enum ApiVersionReadStatus
{
    /// <summary>No reader found a version.</summary>
    None,

    /// <summary>One version (possibly sent several times, always the same).</summary>
    Found,

    /// <summary>A value that is not a version.</summary>
    Invalid,

    /// <summary>Two different versions.</summary>
    Ambiguous,
}

/// <summary>
/// Reads the version a request names in its header, query string and media type parameters, without allocating:
/// every value is looked at as a span over strings the server already holds.
/// </summary>
/// <remarks>
/// The query string is scanned directly rather than through <see cref="HttpRequest.Query"/>, which would parse
/// every parameter into a dictionary on first use.
/// </remarks>
internal sealed class ApiVersionReader(string headerName, string queryParameterName, string mediaTypeParameterName)
{
    public static ApiVersionReader From(ApiVersioningOptions options) =>
        new(options.HeaderName ?? string.Empty, options.QueryParameterName ?? string.Empty, options.MediaTypeParameterName ?? string.Empty);

    /// <summary>Reads the request. On <see cref="ApiVersionReadStatus.Invalid"/>, <paramref name="version"/> is default and the caller may re-read with <see cref="DescribeInvalid"/>.</summary>
    public ApiVersionReadStatus Read(HttpRequest request, out ApiVersion version)
    {
        var state = new State();
        var headers = request.Headers;
        if (headerName.Length != 0)
        {
            ReadHeader(headers[headerName], ref state);
        }

        if (queryParameterName.Length != 0 && request.QueryString.Value is { Length: > 1 } query)
        {
            ReadQuery(query.AsSpan(1), queryParameterName, ref state);
        }

        if (mediaTypeParameterName.Length != 0)
        {
            ReadMediaTypes(headers.Accept, mediaTypeParameterName, ref state);
            ReadMediaTypes(headers.ContentType, mediaTypeParameterName, ref state);
        }

        version = state.Version;
        return state.Status;
    }

    /// <summary>The offending raw value, for the error message; allocates, so only on the error path.</summary>
    public string DescribeInvalid(HttpRequest request)
    {
        if (headerName.Length != 0)
        {
            foreach (var value in request.Headers[headerName])
            {
                foreach (var part in (value ?? string.Empty).Split(','))
                {
                    if (!ApiVersion.TryParse(part.AsSpan(), out _))
                    {
                        return part.Trim();
                    }
                }
            }
        }

        if (queryParameterName.Length != 0 && request.Query.TryGetValue(queryParameterName, out var query))
        {
            foreach (var value in query)
            {
                if (!ApiVersion.TryParse(value.AsSpan(), out _))
                {
                    return value ?? string.Empty;
                }
            }
        }

        return request.Headers.Accept.ToString() is { Length: > 0 } accept ? accept : request.ContentType ?? string.Empty;
    }

    internal static void ReadHeader(StringValues values, ref State state)
    {
        for (var i = 0; i < values.Count && !state.Failed; i++)
        {
            // A header may repeat, and one line may hold a comma-separated list (RFC 9110 section 5.3).
            var rest = (values[i] ?? string.Empty).AsSpan();
            while (!state.Failed)
            {
                var comma = rest.IndexOf(',');
                var part = (comma < 0 ? rest : rest[..comma]).Trim();
                if (!part.IsEmpty)
                {
                    state.Add(part);
                }

                if (comma < 0)
                {
                    break;
                }

                rest = rest[(comma + 1)..];
            }
        }
    }

    internal static void ReadQuery(ReadOnlySpan<char> query, string name, ref State state)
    {
        // Percent-encoded values: a version is at most a few dozen characters; anything longer is invalid anyway.
        Span<char> decoded = stackalloc char[64];
        while (!query.IsEmpty && !state.Failed)
        {
            var amp = query.IndexOf('&');
            var pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? [] : query[(amp + 1)..];
            var equals = pair.IndexOf('=');
            var key = equals < 0 ? pair : pair[..equals];
            if (!key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = equals < 0 ? [] : pair[(equals + 1)..];
            if (value.IndexOfAny('%', '+') < 0)
            {
                state.Add(value);
                continue;
            }

            if (!TryUnescape(value, decoded, out var written))
            {
                state.Fail();
                return;
            }

            state.Add(decoded[..written]);
        }
    }

    internal static void ReadMediaTypes(StringValues values, string parameter, ref State state)
    {
        for (var i = 0; i < values.Count && !state.Failed; i++)
        {
            var rest = (values[i] ?? string.Empty).AsSpan();

            // Each media range: type/subtype *( ";" name "=" value ), ranges separated by commas. Quoted values
            // may hold commas and semicolons, so walk character by character.
            while (!rest.IsEmpty && !state.Failed)
            {
                var semicolon = rest.IndexOfAny(';', ',');
                if (semicolon < 0)
                {
                    break;
                }

                var separator = rest[semicolon];
                rest = rest[(semicolon + 1)..];
                if (separator == ',')
                {
                    continue;
                }

                rest = rest.TrimStart();
                var equals = rest.IndexOf('=');
                if (equals < 0)
                {
                    break;
                }

                var name = rest[..equals].Trim();
                rest = rest[(equals + 1)..].TrimStart();
                ReadOnlySpan<char> value;
                if (!rest.IsEmpty && rest[0] == '"')
                {
                    var close = rest[1..].IndexOf('"');
                    value = close < 0 ? rest[1..] : rest.Slice(1, close);
                    rest = close < 0 ? [] : rest[(close + 2)..];
                }
                else
                {
                    var end = rest.IndexOfAny(';', ',');
                    value = end < 0 ? rest : rest[..end];
                    rest = end < 0 ? [] : rest[end..];
                }

                if (name.Equals(parameter, StringComparison.OrdinalIgnoreCase))
                {
                    state.Add(value.Trim());
                }
            }
        }
    }

    private static bool TryUnescape(ReadOnlySpan<char> value, Span<char> destination, out int written)
    {
        written = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (written == destination.Length)
            {
                return false;
            }

            var c = value[i];
            if (c == '+')
            {
                c = ' ';
            }
            else if (c == '%')
            {
                if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                {
                    return false;
                }

                c = (char)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]));
                i += 2;
            }

            destination[written++] = c;
        }

        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>What has been read so far: the first version, and whether anything disagreed with it.</summary>
    internal struct State
    {
        public ApiVersionReadStatus Status;
        public ApiVersion Version;

        public readonly bool Failed => Status is ApiVersionReadStatus.Invalid or ApiVersionReadStatus.Ambiguous;

        public void Add(ReadOnlySpan<char> text)
        {
            if (!ApiVersion.TryParse(text, out var version))
            {
                Fail();
                return;
            }

            Add(version);
        }

        public void Add(ApiVersion version)
        {
            if (Status == ApiVersionReadStatus.None)
            {
                Status = ApiVersionReadStatus.Found;
                Version = version;
            }
            else if (Status == ApiVersionReadStatus.Found && Version != version)
            {
                Status = ApiVersionReadStatus.Ambiguous;
            }
        }

        public void Fail() => Status = ApiVersionReadStatus.Invalid;
    }
}

using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Microservice.Kit.Problems.Internal;

/// <summary>
/// Puts the <c>charset</c> parameter of a request's <c>Content-Type</c> in the one form ASP.NET Core's body readers
/// understand, before any endpoint reads the body: <c>charset="utf-8"</c> becomes <c>charset=utf-8</c>.
/// </summary>
/// <remarks>
/// RFC 9110 §8.3.1 makes a quoted parameter value equivalent to the unquoted token, but ASP.NET Core's JSON reader
/// looks up the encoding by the raw value, quotes included, and throws: a valid login answered 500. A request that
/// names two different charsets is ambiguous (a proxy may honour the other one), so it is refused with 415 rather
/// than guessed at. Anything else, a malformed header included, is left to the endpoint, which answers 415 itself.
/// </remarks>
internal static class RequestCharsetMiddleware
{
    private const string Charset = "charset";

    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var raw = context.Request.ContentType;
        if (raw is null)
        {
            return next(context);
        }

        // The common cases (no charset, or charset=utf-8 once and unquoted) cost two searches and no allocation.
        var first = raw.IndexOf(Charset, StringComparison.OrdinalIgnoreCase);
        if (first < 0 || (!raw.Contains('"', StringComparison.Ordinal) && raw.LastIndexOf(Charset, StringComparison.OrdinalIgnoreCase) == first))
        {
            return next(context);
        }

        Normalize(context.Request, raw);
        return next(context);
    }

    /// <summary>The value of a charset parameter as a token: one pair of quotes removed and quoted-pairs unescaped (RFC 9110 §5.6.4).</summary>
    internal static string Unquote(StringSegment value) =>
        HeaderUtilities.IsQuoted(value) ? HeaderUtilities.UnescapeAsQuotedString(value).ToString() : value.ToString();

    private static void Normalize(HttpRequest request, string raw)
    {
        if (!MediaTypeHeaderValue.TryParse(raw, out var mediaType))
        {
            return;
        }

        NameValueHeaderValue? charset = null;
        string? value = null;
        var duplicates = false;
        foreach (var parameter in mediaType.Parameters)
        {
            if (!parameter.Name.Equals(Charset, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var unquoted = Unquote(parameter.Value);
            if (charset is null)
            {
                charset = parameter;
                value = unquoted;
            }
            else if (string.Equals(unquoted, value, StringComparison.OrdinalIgnoreCase))
            {
                duplicates = true;
            }
            else
            {
                throw new UnsupportedMediaTypeException("The request's Content-Type names more than one charset; send one, UTF-8.");
            }
        }

        if (charset is null || value is null)
        {
            return;
        }

        if (duplicates)
        {
            for (var i = mediaType.Parameters.Count - 1; i >= 0; i--)
            {
                if (!ReferenceEquals(mediaType.Parameters[i], charset) && mediaType.Parameters[i].Name.Equals(Charset, StringComparison.OrdinalIgnoreCase))
                {
                    mediaType.Parameters.RemoveAt(i);
                }
            }
        }

        if (HeaderUtilities.IsQuoted(charset.Value) && value.Length > 0)
        {
            // Only a token can be written unquoted. A registered name that is not one ("ISO_8859-1:1987") is written
            // as the encoding's own web name; anything else ("utf 8") names no encoding and is left quoted, for the
            // exception handler to answer 415 when a body reader trips on it.
            if (IsToken(value))
            {
                charset.Value = value;
            }
            else if (KitExceptionHandler.IsUsableCharset(value))
            {
                charset.Value = Encoding.GetEncoding(value).WebName;
            }
        }

        request.ContentType = mediaType.ToString();
    }

    // RFC 9110 §5.6.2: tchar.
    private static bool IsToken(string value)
    {
        foreach (var c in value)
        {
            if (c > 0x7E || c <= 0x20 || "\"(),/:;<=>?@[\\]{}".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}

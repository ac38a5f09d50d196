using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Microservice.Kit.Tests.Reliability;

/// <summary>What a request of the charset corpus must get.</summary>
public enum CharsetExpectation
{
    /// <summary>A form equivalent to <c>application/json; charset=utf-8</c> (RFC 9110 §8.3, §5.6.4): the call succeeds.</summary>
    Succeeds,

    /// <summary>A charset the service cannot or will not decode, or two different ones: 415 <c>UnsupportedMediaType</c>.</summary>
    Refused,

    /// <summary>Malformed or exotic: any answer but a 5xx, and any error a problem document.</summary>
    NoServerError,
}

/// <summary>One Content-Type of the charset corpus and what it must get.</summary>
public sealed record CharsetCase(string ContentType, CharsetExpectation Expect);

/// <summary>
/// Content types a new user's client, a proxy or an attacker might send with a valid JSON body: every charset name of
/// the IANA registry (tests/Data/iana-character-sets.txt), quoted and unquoted, and a generator of malformed and
/// unusual-but-valid media types (quoted values with escapes, empty values, duplicate charsets, whitespace, case).
/// Depends only on the base class library so that the samples' tests can compile it too.
/// </summary>
public static class CharsetCorpus
{
    public const string DataFile = "iana-character-sets.txt";

    // UTF-7 is refused by .NET since .NET 5 (a known XSS vector), whatever the spelling.
    private static readonly string[] Utf7Names = ["UTF-7", "csUTF7", "UNICODE-1-1-UTF-7"];

    /// <summary>The registry's names, read from the data file copied next to the test assembly.</summary>
    public static IReadOnlyList<string> IanaNames()
    {
        var path = Path.Combine(AppContext.BaseDirectory, DataFile);
        return File.ReadAllLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>Every IANA name as <c>charset=name</c> and <c>charset="name"</c>.</summary>
    public static IEnumerable<CharsetCase> Iana()
    {
        foreach (var name in IanaNames())
        {
            var expect = name.Equals("UTF-8", StringComparison.OrdinalIgnoreCase) ? CharsetExpectation.Succeeds
                : Utf7Names.Contains(name, StringComparer.OrdinalIgnoreCase) ? CharsetExpectation.Refused
                : CharsetExpectation.NoServerError;
            yield return new CharsetCase($"application/json; charset={name}", expect);
            yield return new CharsetCase($"application/json; charset=\"{name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"", expect);
        }
    }

    /// <summary>Malformed and unusual-but-valid media types, each with what it must get.</summary>
    public static IEnumerable<CharsetCase> Generated()
    {
        // Equivalent to application/json; charset=utf-8: case-insensitive names and values (RFC 9110 §8.3.1), a
        // quoted value and its quoted-pairs (§5.6.4), optional whitespace around ';' (§5.6.6), other parameters.
        string[] succeeds =
        [
            "application/json",
            "application/json; charset=utf-8",
            "application/json;charset=utf-8",
            "application/json; charset=UTF-8",
            "APPLICATION/JSON; CHARSET=UTF-8",
            "Application/Json; CharSet=Utf-8",
            "application/json; charset=\"utf-8\"",
            "application/json;charset=\"utf-8\"",
            "application/json; charset=\"UTF-8\"",
            "application/json; CHARSET=\"Utf-8\"",
            "application/json; charset=\"utf\\-8\"",
            "application/json; charset=\"\\u\\t\\f\\-\\8\"",
            "application/json;   charset=\"utf-8\"",
            "application/json\t;\tcharset=\"utf-8\"",
            "application/json ; charset=\"utf-8\"",
            "application/json; foo=bar; charset=\"utf-8\"",
            "application/json; charset=\"utf-8\"; foo=\"a;b=c\"",
            "application/json; charset=\"utf-8\"; foo=\"say \\\"hi\\\"\"",
            "application/json; charset=utf-8; charset=\"utf-8\"",
            "application/json; charset=\"utf-8\"; charset=UTF-8",
            "application/json; charset=\"utf-8\"; charset=\"utf-8\"; charset=utf-8",
            "application/problem+json; charset=\"utf-8\"",
            "application/vnd.kit+json; charset=\"utf-8\"",
            "application/json; " + string.Concat(Enumerable.Range(0, 50).Select(i => string.Create(CultureInfo.InvariantCulture, $"p{i}=\"v{i}\"; "))) + "charset=\"utf-8\"",
        ];
        foreach (var type in succeeds)
        {
            yield return new CharsetCase(type, CharsetExpectation.Succeeds);
        }

        string[] refused =
        [
            "application/json; charset=utf-7",
            "application/json; charset=UTF-7",
            "application/json; charset=\"utf-7\"",
            "application/json; charset=\"utf\\-7\"",
            "application/json; charset=nonsense",
            "application/json; charset=\"nonsense\"",
            "application/json; charset=\"\"",
            "application/json; charset=\"utf 8\"",
            "application/json; charset='utf-8'",
            "application/json; charset=utf-8; charset=utf-16",
            "application/json; charset=\"utf-8\"; charset=\"latin1\"",
            "application/json; charset=utf-16; charset=\"utf-8\"",
            "application/json; charset=x-user-defined-" + new string('a', 2000),
        ];
        foreach (var type in refused)
        {
            yield return new CharsetCase(type, CharsetExpectation.Refused);
        }

        string[] malformed =
        [
            "application/json; charset=",
            "application/json; charset",
            "application/json; charset=\"utf-8",
            "application/json; charset=utf-8\"",
            "application/json; charset=\"utf-8\"\"",
            "application/json; charset=\"\\\"",
            "application/json; charset=\"utf-8\\\"",
            "application/json; charset=\"\\\"utf-8\\\"\"",
            "application/json; charset=\"\"utf-8\"\"",
            "application/json; =utf-8",
            "application/json;;charset=utf-8",
            "application/json; ; charset=\"utf-8\"",
            "application/json; charset==utf-8",
            "application/json; charset = utf-8",
            "application/json; charset =\"utf-8\"",
            "application/json; charset=utf-8;",
            "application/json; charset=\"utf-8\";",
            "application/json; charset=utf-8,utf-16",
            "application/json; charset=\"utf-8,utf-16\"",
            "application/json, text/plain",
            "application/json; charset=*",
            "application/json; charset=65001",
            "application/json; charset=\"65001\"",
            "application/json; charset=utf-8 ; charset",
            "application/json; charset=\t",
            "application/json; charset=\"\t\"",
            "application/json; charset=\"utf-8\" garbage",
            "application/json; charset=\"utf-8\"charset=utf-16",
            "application/json; CHARSET=\"\"; charset=utf-8",
            "application/json; charset=\"" + new string('\\', 301) + "\"",
            "application/json; charset=\"" + string.Concat(Enumerable.Repeat("\\\"", 500)) + "\"",
            "application/json; " + string.Concat(Enumerable.Repeat("charset=\"utf-8\"; ", 200)),
            "application/json; charset=utf-8; charset=\"utf-8",
            "text/json; charset=\"utf-8\"",
            "text/plain; charset=\"utf-8\"",
            ";charset=\"utf-8\"",
            "charset=\"utf-8\"",
            "application/; charset=\"utf-8\"",
            "application/json; charset=utf-32",
            "application/json; charset=\"utf-16le\"",
            "application/json; charset=us-ascii",
            "application/json; charset=\"iso-8859-1\"",
        ];
        foreach (var type in malformed)
        {
            yield return new CharsetCase(type, CharsetExpectation.NoServerError);
        }
    }

    /// <summary>
    /// Sends <paramref name="body"/> with each case's Content-Type and checks the answer against the case's expectation.
    /// Returns one line per broken expectation, and a count of statuses seen.
    /// </summary>
    public static async Task<(List<string> Failures, SortedDictionary<int, int> Statuses)> RunAsync(
        HttpClient client, HttpMethod method, string path, string body, string? bearer, IEnumerable<CharsetCase> cases)
    {
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var bytes = Encoding.UTF8.GetBytes(body);
        foreach (var item in cases)
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
            if (bearer is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
            }

            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = null;
            request.Content.Headers.TryAddWithoutValidation("Content-Type", item.ContentType);
            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var text = await response.Content.ReadAsStringAsync();
            var problem = status >= 400 ? ProblemStatus(response, text) : null;
            var broken = item.Expect switch
            {
                _ when status >= 500 => $"{status}",
                CharsetExpectation.Succeeds when status is < 200 or >= 300 => $"{status} instead of a success",
                CharsetExpectation.Refused when status != 415 => $"{status} instead of 415",
                _ when status >= 400 && problem != status => $"{status} without a problem document of that status",
                _ => null,
            };
            if (broken is not null)
            {
                failures.Add($"{method} {path} Content-Type: {Shorten(item.ContentType)} ({item.Expect}) → {broken}: {Shorten(text)}");
            }
        }

        return (failures, statuses);
    }

    public static string Summary(SortedDictionary<int, int> statuses) => string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"));

    private static int? ProblemStatus(HttpResponseMessage response, string text)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("status", out var s) && s.TryGetInt32(out var value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + $"…({text.Length})";
}

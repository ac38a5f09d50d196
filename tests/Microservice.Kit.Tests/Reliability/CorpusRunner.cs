using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Microservice.Kit.Tests.Reliability;

/// <summary>What a corpus run saw: how many requests, which statuses per category, and every response that broke the rules.</summary>
public sealed class CorpusReport
{
    public int Tried { get; set; }

    /// <summary>Category → status → count (status 0: the server closed the connection after answering early).</summary>
    public SortedDictionary<string, SortedDictionary<int, int>> Statuses { get; } = new(StringComparer.Ordinal);

    public List<string> Failures { get; } = [];

    public int LivenessChecks { get; set; }

    public string Summary()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"requests tried: {Tried}, failures: {Failures.Count}, liveness checks passed: {LivenessChecks}\n");
        var totals = new SortedDictionary<int, int>();
        foreach (var (category, statuses) in Statuses)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {category,-16} {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}\n");
            foreach (var (status, count) in statuses)
            {
                totals[status] = totals.GetValueOrDefault(status) + count;
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"  {"all",-16} {string.Join(", ", totals.Select(s => $"{s.Key}×{s.Value}"))}\n");
        foreach (var failure in Failures.Take(30))
        {
            text.Append("  FAIL ").Append(failure).Append('\n');
        }

        return text.ToString();
    }
}

/// <summary>
/// Sends a corpus and checks each answer: a 4xx with an RFC 9457 problem body whose <c>status</c> matches (or one of
/// Kestrel's own <see cref="HostileCorpus.ServerLevelStatuses"/> with an empty body), never a 5xx, never a success;
/// and after every 50 requests, that the service still answers <c>/health/live</c>.
/// </summary>
public static class CorpusRunner
{
    public static async Task<CorpusReport> RunAsync(Uri baseAddress, IReadOnlyList<HostileRequest> corpus, string validToken, CorpusReport? report = null)
    {
        report ??= new CorpusReport();
        // A fresh connection per request where the server may close it (huge headers, early 413) keeps one
        // failure from being blamed on the next request.
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        for (var i = 0; i < corpus.Count; i++)
        {
            var item = corpus[i];
            report.Tried++;
            var (status, failure) = await SendAsync(client, item, validToken);
            lock (report)
            {
                if (!report.Statuses.TryGetValue(item.Category, out var statuses))
                {
                    report.Statuses[item.Category] = statuses = [];
                }

                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (failure is not null)
                {
                    report.Failures.Add($"[{item.Category}] {item.Method} {Shorten(item.Path)} (Content-Type: {item.ContentType}; headers: {Shorten(string.Join("; ", (item.Headers ?? []).Select(h => h.Key + ": " + h.Value)))}) → {failure}");
                }
            }

            if (i % 50 == 49 || i == corpus.Count - 1)
            {
                using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
                if (live.IsSuccessStatusCode)
                {
                    report.LivenessChecks++;
                }
                else
                {
                    report.Failures.Add($"/health/live answered {(int)live.StatusCode} after request {i + 1}");
                }
            }
        }

        return report;
    }

    private static async Task<(int Status, string? Failure)> SendAsync(HttpClient client, HostileRequest item, string validToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(item.Method), new Uri(item.Path, UriKind.Relative));
        var authorization = item.Authorization ?? "Bearer " + validToken;
        if (authorization.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        foreach (var (name, value) in item.Headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (item.Body is not null)
        {
            request.Content = new ByteArrayContent(item.Body);
            request.Content.Headers.ContentType = null;
            if (item.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", item.ContentType);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request);
        }
        catch (HttpRequestException) when (item.Body is { Length: > 30_000_000 })
        {
            // Kestrel answered 413 before the body was sent and closed the connection; the client saw the reset.
            return (0, null);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return (-1, $"no answer: {exception.GetType().Name}: {exception.Message}");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            if (status >= 500)
            {
                return (status, $"{status}: {Shorten(body)}");
            }

            if (status < 400)
            {
                return (status, $"accepted with {status}: {Shorten(body)}");
            }

            if (HostileCorpus.IsServerLevel(item, status, body))
            {
                return (status, null);
            }

            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                return (status, $"{status} with content type '{response.Content.Headers.ContentType}' instead of a problem: {Shorten(body)}");
            }

            try
            {
                using var problem = JsonDocument.Parse(body);
                return problem.RootElement.TryGetProperty("status", out var s) && s.TryGetInt32(out var value) && value == status
                    ? (status, null)
                    : (status, $"{status} problem without a matching status: {Shorten(body)}");
            }
            catch (JsonException)
            {
                return (status, $"{status} problem body is not JSON: {Shorten(body)}");
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + $"…({text.Length})";
}

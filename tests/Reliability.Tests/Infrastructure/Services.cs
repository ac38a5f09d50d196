using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Reliability.Tests.Infrastructure;

/// <summary>
/// Employees and (optionally) Library as real processes, each on a fresh data directory, started with the samples'
/// own launcher; plus what the reliability tests need beyond it: the admin token, the process id (for SIGKILL,
/// SIGSTOP and working-set readings) and every line the processes wrote.
/// </summary>
public sealed partial class Services : IAsyncDisposable
{
    public const string AdminPassword = "admin-dev-password";

    private Services(TempDirectory employeesData, TempDirectory libraryData)
    {
        EmployeesData = employeesData;
        LibraryData = libraryData;
    }

    public TempDirectory EmployeesData { get; }

    public TempDirectory LibraryData { get; }

    public SampleProcess Employees { get; private set; } = null!;

    public SampleProcess? Library { get; private set; }

    public HttpClient EmployeesClient { get; private set; } = null!;

    public HttpClient? LibraryClient { get; private set; }

    public string AdminToken { get; private set; } = null!;

    public static async Task<Services> StartAsync(bool library, IReadOnlyDictionary<string, string?>? employeesEnvironment = null, IReadOnlyDictionary<string, string?>? libraryEnvironment = null)
    {
        var services = new Services(new TempDirectory("reliability-employees"), new TempDirectory("reliability-library"));
        try
        {
            var environment = new Dictionary<string, string?> { ["Employees__DataDirectory"] = services.EmployeesData.Path };
            foreach (var (key, value) in employeesEnvironment ?? new Dictionary<string, string?>())
            {
                environment[key] = value;
            }

            services.Employees = await SampleProcess.StartAsync(Sample.Employees, environment);
            services.EmployeesClient = services.Employees.CreateClient();
            services.AdminToken = await services.LoginAsync();
            if (library)
            {
                var libraryEnv = new Dictionary<string, string?>
                {
                    ["Library__DataDirectory"] = services.LibraryData.Path,
                    ["Library__EmployeesBaseAddress"] = services.Employees.BaseAddress.ToString().TrimEnd('/'),
                };
                foreach (var (key, value) in libraryEnvironment ?? new Dictionary<string, string?>())
                {
                    libraryEnv[key] = value;
                }

                services.Library = await SampleProcess.StartAsync(Sample.Library, libraryEnv);
                services.LibraryClient = services.Library.CreateClient();
            }

            return services;
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    public async Task<string> LoginAsync()
    {
        using var response = await EmployeesClient.PostAsJsonAsync("/api/v1/tokens", new { username = "admin", password = AdminPassword });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"login answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["access_token"]!.GetValue<string>();
    }

    /// <summary>Every string of 40 or more characters in the Employees key file: the private keys, whatever the format.</summary>
    public IEnumerable<string> KeyMaterial()
    {
        foreach (var file in Directory.EnumerateFiles(EmployeesData.Path, "*.json", SearchOption.AllDirectories))
        {
            // Parsed, not matched as text: the serializer escapes '+' in base64 as \u002B.
            JsonNode? document;
            try
            {
                document = JsonNode.Parse(File.ReadAllText(file));
            }
            catch (System.Text.Json.JsonException)
            {
                continue;
            }

            foreach (var value in Strings(document).Where(v => v.Length >= 40))
            {
                yield return value;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        LibraryClient?.Dispose();
        EmployeesClient?.Dispose();
        if (Library is not null)
        {
            await Library.DisposeAsync();
        }

        if (Employees is not null)
        {
            await Employees.DisposeAsync();
        }

        EmployeesData.Dispose();
        LibraryData.Dispose();
    }

    /// <summary>The id of the process listening on <paramref name="port"/> on loopback (the launcher does not expose it).</summary>
    public static int ProcessIdOf(int port)
    {
        var info = new ProcessStartInfo("ss", ["-ltnpH", $"sport = :{port}"]) { RedirectStandardOutput = true };
        using var ss = Process.Start(info)!;
        var text = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        var match = PidPattern().Match(text);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : throw new InvalidOperationException($"no process listens on {port}: {text}");
    }

    /// <summary>Sends a POSIX signal (STOP, CONT) to a process.</summary>
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>The resident set (VmRSS) of a process, in bytes.</summary>
    public static long WorkingSet(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var text) => [text],
        _ => [],
    };

    [GeneratedRegex(@"pid=(\d+)")]
    private static partial Regex PidPattern();
}

/// <summary>A fact that runs only with <c>RELIABILITY_SLOW=1</c>: the slow parts, one command each, never in CI's run.</summary>
public sealed class SlowFactAttribute : FactAttribute
{
    public SlowFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("RELIABILITY_SLOW") != "1")
        {
            Skip = "slow reliability part: run with RELIABILITY_SLOW=1 (see docs/reliability.md)";
        }
    }
}

/// <summary>Request helpers in the samples' HTTP contract.</summary>
public static class Http
{
    public static HttpRequestMessage Request(HttpMethod method, string path, string token, object? json = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        return request;
    }

    public static async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(this HttpClient client, HttpMethod method, string path, string token, object? json = null, Action<HttpRequestMessage>? change = null)
    {
        using var request = Request(method, path, token, json);
        change?.Invoke(request);
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        try
        {
            body = text.Length > 0 ? JsonNode.Parse(text) : null;
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return (response.StatusCode, body, response);
    }

    public static string IdOf(JsonNode entity) =>
        entity["id"]!.GetValueKind() == System.Text.Json.JsonValueKind.String ? entity["id"]!.GetValue<string>() : entity["id"]!.ToJsonString();
}

using System.Diagnostics;
using System.Net.Sockets;

namespace Samples.Tests.Observability;

/// <summary>
/// Runs where the Debian package <c>prometheus</c> is installed (CI installs it); skipped with the reason elsewhere,
/// and failed instead under <c>CI=true</c>, where a missing server must not pass as a skip.
/// </summary>
public sealed class PrometheusFactAttribute : FactAttribute
{
    public const string Binary = "/usr/bin/prometheus";

    public PrometheusFactAttribute()
    {
        if (!File.Exists(Binary) && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"Prometheus is not installed ({Binary}); install it with: apt-get install -y prometheus";
        }
    }
}

/// <summary>A real Prometheus server scrapes Employees' /metrics; a kit metric is read back through its query API.</summary>
public sealed class PrometheusScrapeTests
{
    [PrometheusFact]
    public async Task Prometheus_ScrapesEmployees_KitMetricReadBackThroughTheQueryApi()
    {
        using var data = new TempDirectory("prometheus-employees");
        using var prometheusData = new TempDirectory("prometheus-server");
        var environment = EmployeesFixture.EmployeesEnvironment(data);
        environment["Employees__PrometheusEndpoint"] = "true";
        await using var employees = await SampleProcess.StartAsync(Sample.Employees, environment);
        using (var client = employees.CreateClient())
        {
            await client.GetTokenAsync(Api.AdminUser, Api.DevAdminPassword);
            using var scrape = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        }

        var port = FreePort();
        var config = Path.Combine(prometheusData.Path, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: employees
                metrics_path: /metrics
                static_configs:
                  - targets: ["127.0.0.1:{employees.Port}"]
            """);
        using var prometheus = Process.Start(new ProcessStartInfo(PrometheusFactAttribute.Binary,
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(prometheusData.Path, "tsdb")}",
             $"--web.listen-address=127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = new System.Text.StringBuilder();
        prometheus.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        prometheus.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        prometheus.BeginOutputReadLine();
        prometheus.BeginErrorReadLine();
        try
        {
            using var query = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            string? last = null;
            while (DateTime.UtcNow < deadline && !prometheus.HasExited)
            {
                try
                {
                    last = await query.GetStringAsync(new Uri("api/v1/query?query=microservice_kit_tokens_issued_total", UriKind.Relative));
                    var result = JsonNode.Parse(last)!["data"]!["result"]!.AsArray();
                    if (result.Count > 0)
                    {
                        var sample = result[0]!;
                        Assert.Equal("employees", sample["metric"]!["job"]!.GetValue<string>());
                        var value = double.Parse(sample["value"]![1]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
                        Assert.True(value >= 1, last);
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Prometheus is still starting.
                }

                await Task.Delay(500);
            }

            lock (output)
            {
                Assert.Fail($"Prometheus never returned microservice_kit_tokens_issued_total; last answer: {last}\n{output}");
            }
        }
        finally
        {
            if (!prometheus.HasExited)
            {
                prometheus.Kill(entireProcessTree: true);
                await prometheus.WaitForExitAsync();
            }
        }
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

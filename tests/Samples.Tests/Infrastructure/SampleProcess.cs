using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Samples.Tests.Infrastructure;

/// <summary>The two sample services, as built next to this test assembly's configuration.</summary>
public enum Sample
{
    Employees,
    Library,
}

/// <summary>
/// A sample service running as a real process (<c>dotnet Sample.dll --urls http://127.0.0.1:PORT</c>), the way a
/// user runs it. The bound port is read from Kestrel's own "Now listening on:" line (the only source of truth when
/// asking for port 0); a restart reuses that port so that a caller configured with the address finds it again.
/// Every wait is bounded; the process is killed on dispose and when the test run exits.
/// </summary>
public sealed partial class SampleProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly ConcurrentQueue<string> _output = new();
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly string _environmentName;
    private string? _workingDirectory;
    private Process? _process;
    private int _port;

    static SampleProcess()
    {
        // A test run that ends abruptly must not leave services listening on the machine.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Running.Values)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }
        };
    }

    private SampleProcess(Sample sample, string environmentName, IReadOnlyDictionary<string, string?> environment)
    {
        Sample = sample;
        _environmentName = environmentName;
        _environment = environment;
    }

    public Sample Sample { get; }

    /// <summary>The address the service listens on (<c>http://127.0.0.1:PORT/</c>).</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{_port}/");

    public int Port => _port;

    /// <summary>Everything the process wrote to stdout and stderr so far, across restarts.</summary>
    public string Output => string.Join('\n', _output);

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the sample and waits until it listens and answers <c>/health/live</c>.</summary>
    public static async Task<SampleProcess> StartAsync(
        Sample sample,
        IReadOnlyDictionary<string, string?> environment,
        string environmentName = "Development",
        int port = 0,
        string? workingDirectory = null)
    {
        var process = new SampleProcess(sample, environmentName, environment) { _port = port, _workingDirectory = workingDirectory };
        try
        {
            await process.StartAsync();
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }

        return process;
    }

    /// <summary>
    /// Runs the sample until it exits by itself (a start that must fail), returning its exit code and output.
    /// Killed and reported as a failure if it is still running after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(
        Sample sample, IReadOnlyDictionary<string, string?> environment, string environmentName, TimeSpan timeout)
    {
        var instance = new SampleProcess(sample, environmentName, environment);
        var process = instance.Launch();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            await instance.DisposeAsync();
            throw new TimeoutException($"{sample} was still running after {timeout.TotalSeconds} s; output:\n{instance.Output}");
        }

        process.WaitForExit(); // drains the asynchronous output readers
        Running.TryRemove(process.Id, out _);
        var exitCode = process.ExitCode;
        process.Dispose();
        return (exitCode, instance.Output);
    }

    /// <summary>Stops the process: SIGTERM for a graceful shutdown (the way a host stops a service), or a kill.</summary>
    public async Task StopAsync(bool graceful = true)
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        _process = null;
        try
        {
            if (!process.HasExited)
            {
                if (graceful && (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()))
                {
                    // SIGTERM, the signal a service manager or container runtime stops a service with.
                    using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                    await kill.WaitForExitAsync();
                }
                else
                {
                    process.Kill(entireProcessTree: true);
                }

                using var cts = new CancellationTokenSource(StopTimeout);
                try
                {
                    await process.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    _output.Enqueue("[test] graceful stop timed out; killing");
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        finally
        {
            Running.TryRemove(process.Id, out _);
            process.Dispose();
        }
    }

    /// <summary>Stops the process and starts it again with the same settings, data directory and port.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    /// <summary>Starts the process again after <see cref="StopAsync"/>, on the same port.</summary>
    public Task StartAsync() => StartCoreAsync();

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(90) };

    public async ValueTask DisposeAsync() => await StopAsync(graceful: false);

    private async Task StartCoreAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Sample} is already running.");
        }

        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Launch(line =>
        {
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        });
        _process = process;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"{Sample} exited during start"));

        var timeout = Task.Delay(StartTimeout);
        var done = await Task.WhenAny(listening.Task, timeout);
        if (done == timeout || listening.Task.IsFaulted)
        {
            await StopAsync(graceful: false);
            throw new InvalidOperationException(
                $"{Sample} did not start listening within {StartTimeout.TotalSeconds} s (or exited); output:\n{Output}");
        }

        _port = await listening.Task;

        // Listening is not the same as serving: wait for the liveness endpoint to answer.
        using var client = CreateClient();
        client.Timeout = TimeSpan.FromSeconds(5);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
                if (live.IsSuccessStatusCode)
                {
                    await SharedBackend.VerifyInUseAsync(Sample, SharedBackend.For(Sample, _environment, _workingDirectory));
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            catch (TaskCanceledException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline || !IsRunning)
            {
                await StopAsync(graceful: false);
                throw new InvalidOperationException($"{Sample} never answered /health/live; output:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    private Process Launch(Action<string>? onLine = null)
    {
        var directory = SamplePaths.OutputDirectory(Sample);
        var dll = Path.Combine(directory, $"{Sample}.Service.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The sample is not built: {dll}");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            // The content root is the working directory for `dotnet x.dll`: the output folder holds appsettings*.json.
            WorkingDirectory = _workingDirectory ?? directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{_port}");

        foreach (var key in info.Environment.Keys.ToList())
        {
            // Settings inherited from the test runner's shell must not leak into the service under test.
            if (key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("Employees__", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("Library__", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("MicroserviceKit__", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("AWS_", StringComparison.OrdinalIgnoreCase))
            {
                info.Environment.Remove(key);
            }
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = _environmentName;
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // Plain console lines, no colour codes, so that the listening line can be read.
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        info.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        // KIT_SAMPLES_BACKEND=shared: PostgreSQL and S3 of their own; a test's own settings still win.
        foreach (var (key, value) in SharedBackend.For(Sample, _environment, _workingDirectory))
        {
            info.Environment[key] = value;
        }

        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void Receive(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is { } line)
            {
                _output.Enqueue(line);
                onLine?.Invoke(line);
            }
        }

        process.OutputDataReceived += Receive;
        process.ErrorDataReceived += Receive;
        process.Start();
        Running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}

/// <summary>Where the samples' build output is, recorded into this assembly at build time.</summary>
public static class SamplePaths
{
    /// <summary>The repository's <c>samples</c> folder.</summary>
    public static string SamplesRoot => Metadata()["SamplesRoot"]!;

    public static string OutputDirectory(Sample sample)
    {
        var metadata = Metadata();
        return Path.Combine(metadata["SamplesRoot"]!, $"{sample}.Service", "bin", metadata["SamplesConfiguration"]!, metadata["SamplesTargetFramework"]!);
    }

    private static Dictionary<string, string?> Metadata() =>
        typeof(SamplePaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
}

using System.Collections.Concurrent;
using System.Diagnostics;

namespace Fleet.Tests.Infrastructure;

/// <summary>
/// One process of the fleet (an Employees replica, Library, the gateway) run the way a user runs it:
/// <c>dotnet X.dll --urls http://127.0.0.1:PORT</c> on a port fixed for its lifetime, so that a restarted replica is found
/// again at the address the gateway knows. Every wait is bounded; the process is killed on dispose and when the test run
/// exits.
/// </summary>
public sealed class FleetProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly ConcurrentQueue<string> _output = new();
    private readonly string _dll;
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly string _readyPath;
    private Process? _process;

    static FleetProcess()
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

    public FleetProcess(string name, string dll, int port, IReadOnlyDictionary<string, string?> environment, string readyPath)
    {
        Name = name;
        Port = port;
        _dll = dll;
        _environment = environment;
        _readyPath = readyPath;
    }

    public string Name { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Everything the process wrote so far, across restarts (for failure messages).</summary>
    public string Output => string.Join('\n', _output.TakeLast(200));

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Starts the process and waits until its ready path answers 200.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        if (!File.Exists(_dll))
        {
            throw new FileNotFoundException($"{Name} is not built: {_dll}");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(_dll)!,   // the content root: appsettings*.json are there
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(_dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{Port}");
        foreach (var key in info.Environment.Keys.ToList())
        {
            // Settings inherited from the test runner's shell must not leak into the fleet.
            if (key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || key.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
                || key.Contains("__", StringComparison.Ordinal) || key.StartsWith("AWS_", StringComparison.OrdinalIgnoreCase))
            {
                info.Environment.Remove(key);
            }
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void Receive(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is { } line)
            {
                _output.Enqueue($"[{Name}] {line}");
            }
        }

        process.OutputDataReceived += Receive;
        process.ErrorDataReceived += Receive;
        process.Start();
        Running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var client = CreateClient();
        client.Timeout = TimeSpan.FromSeconds(5);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var ready = await client.GetAsync(new Uri(_readyPath, UriKind.Relative));
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Busy starting on a loaded machine.
            }

            if (!IsRunning || clock.Elapsed > StartTimeout)
            {
                var reason = IsRunning ? $"did not answer {_readyPath} within {StartTimeout.TotalSeconds} s" : "exited during start";
                await KillAsync();
                throw new InvalidOperationException($"{Name} {reason}; output:\n{Output}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>SIGKILL: the process gets no chance to finish anything (a crashed host, an OOM kill).</summary>
    public async Task KillAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
        finally
        {
            Running.TryRemove(process.Id, out _);
            process.Dispose();
        }
    }

    public int? ProcessId => _process?.Id;

    public async ValueTask DisposeAsync() => await KillAsync();
}

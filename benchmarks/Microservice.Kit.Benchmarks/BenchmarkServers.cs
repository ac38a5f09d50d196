using System.Diagnostics;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;

namespace Microservice.Kit.Benchmarks;

/// <summary>
/// Marks a benchmark class that needs the S3-compatible test server (<see cref="BenchmarkServers.S3ServiceUrl"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class RequiresS3ServerAttribute : Attribute;

/// <summary>
/// The servers benchmarks run against, found the way the tests find them: <c>KIT_TEST_S3</c> (what <c>.ci/run</c>
/// exports), else a throwaway server started with <c>eng/servers/s3.sh</c> for the run and stopped when the process
/// that started it exits. A server started here is exported as <c>KIT_TEST_S3</c>, so that BenchmarkDotNet's child
/// processes use it instead of starting their own.
/// </summary>
internal static class BenchmarkServers
{
    private const string S3Variable = "KIT_TEST_S3";
    private static readonly Lazy<(string? Url, string? Reason)> S3 = new(LocateS3);
    private static readonly HashSet<string> Skipped = [];

    /// <summary>Whether this is a CI run (<c>CI=true</c>), where a missing server fails the benchmark instead of skipping it.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The service URL of the S3-compatible server (path style; access key and secret <c>S3RVER</c>).</summary>
    public static string S3ServiceUrl => S3.Value.Url ?? throw new InvalidOperationException("No S3-compatible server for the benchmark: " + S3.Value.Reason);

    /// <summary>The classes skipped for want of a server in this run, with the reason; printed in the suite's summary.</summary>
    public static IReadOnlyCollection<string> SkippedClasses
    {
        get
        {
            lock (Skipped)
            {
                return [.. Skipped];
            }
        }
    }

    /// <summary>
    /// Leaves out the classes marked <see cref="RequiresS3ServerAttribute"/> when no server can be had, with the reason
    /// printed, except under <c>CI=true</c>, where they stay selected and fail in their set-up.
    /// </summary>
    /// <param name="args">The command line: BenchmarkDotNet asks this filter before its own <c>--filter</c> globs, so
    /// they are applied here first, and a run that selects no class needing a server starts none.</param>
    public static IFilter Filter(string[] args)
    {
        var globs = args.SkipWhile(a => a is not ("--filter" or "-f")).Skip(1).TakeWhile(a => !a.StartsWith('-')).ToArray();
        var selected = globs.Length == 0 ? null : new GlobFilter(globs);
        return new SimpleFilter(benchmark => selected?.Predicate(benchmark) != false && KeepWhenServerAvailable(benchmark));
    }

    private static bool KeepWhenServerAvailable(BenchmarkCase benchmark)
    {
        var type = benchmark.Descriptor.Type;
        if (!Attribute.IsDefined(type, typeof(RequiresS3ServerAttribute)))
        {
            return true;
        }

        if (InCi)
        {
            // Located here, in the process that runs BenchmarkDotNet, so that its child processes share one server.
            _ = S3.Value;
            return true;
        }

        if (S3.Value.Reason is not { } reason)
        {
            return true;
        }

        lock (Skipped)
        {
            if (Skipped.Add($"{type.Name}: {reason}"))
            {
                Console.WriteLine($"// suite: skipped {type.Name}: {reason}");
            }
        }

        return false;
    }

    private static (string? Url, string? Reason) LocateS3()
    {
        if (Environment.GetEnvironmentVariable(S3Variable) is { Length: > 0 } given)
        {
            return (given, null);
        }

        if (!OperatingSystem.IsLinux())
        {
            return (null, $"{S3Variable} is unset and eng/servers/s3.sh needs Linux");
        }

        var root = FindRepositoryRoot();
        if (root is null)
        {
            return (null, $"{S3Variable} is unset and the repository (eng/servers/s3.sh) was not found above {AppContext.BaseDirectory}");
        }

        var script = Path.Combine(root, "eng", "servers", "s3.sh");
        var directory = Path.Combine(Path.GetTempPath(), $"kit-bench-s3-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var (exitCode, output, error) = Run("bash", script, "start", directory);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(S3Variable + "=", StringComparison.Ordinal));
        if (exitCode != 0 || line is null)
        {
            return (null, $"{S3Variable} is unset and eng/servers/s3.sh could not start one ({exitCode}): {error.Trim()}");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Run("bash", script, "stop", directory);
        var url = line[(S3Variable.Length + 1)..].Trim();
        Environment.SetEnvironmentVariable(S3Variable, url);
        Console.WriteLine($"// S3-compatible server for this run: {url} (eng/servers/s3.sh, stopped at exit)");
        return (url, null);
    }

    private static string? FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Kit.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    private static (int ExitCode, string Output, string Error) Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        // eng/servers/*.sh stop a server they start once this process is gone, so a killed run leaves none behind.
        start.Environment["KIT_SERVER_OWNER_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }
}

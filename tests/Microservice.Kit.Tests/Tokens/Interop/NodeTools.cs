using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Microservice.Kit.Tests.Tokens.Interop;

/// <summary>
/// Node.js and the npm packages the interop tests run, installed outside the build into <c>.tools/node</c> under the
/// repository root (<c>npm install --prefix .tools/node jose@5</c>), or where <c>KIT_NODE_TOOLS</c> points. Node itself is
/// <c>node</c> on the PATH, or <c>KIT_NODE</c>.
/// </summary>
public static class NodeTools
{
    /// <summary>The folder whose <c>node_modules</c> holds the packages.</summary>
    public static string ToolsDirectory { get; } =
        Environment.GetEnvironmentVariable("KIT_NODE_TOOLS") is { Length: > 0 } configured ? configured : Path.Combine(RepositoryRoot(), ".tools", "node");

    /// <summary>Why a test that needs <paramref name="package"/> cannot run here, or <see langword="null"/> when it can.</summary>
    public static string? MissingReason(string package)
    {
        if (FindNode() is null)
        {
            return "node is not on the PATH (or set KIT_NODE)";
        }

        return File.Exists(Path.Combine(ToolsDirectory, "node_modules", package, "package.json"))
            ? null
            : $"the npm package '{package}' is not installed: npm install --prefix {Path.Combine(RepositoryRoot(), ".tools", "node")} {package}";
    }

    /// <summary>Runs a script of this folder with <paramref name="input"/> as JSON on stdin and returns its stdout as JSON.</summary>
    public static async Task<JsonNode> RunAsync(string script, JsonNode input)
    {
        var node = FindNode() ?? throw new InvalidOperationException("node is not on the PATH (or set KIT_NODE)");
        if (!Directory.Exists(Path.Combine(ToolsDirectory, "node_modules")))
        {
            throw new InvalidOperationException($"No npm packages in {ToolsDirectory}: npm install --prefix {ToolsDirectory} jose@5");
        }

        var start = new ProcessStartInfo(node)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Interop", script));
        start.Environment["KIT_NODE_TOOLS"] = ToolsDirectory;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        await process.StandardInput.WriteAsync(input.ToJsonString());
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} did not finish within 2 minutes: {await stderr}");
        }

        return process.ExitCode == 0
            ? JsonNode.Parse(await stdout) ?? throw new InvalidDataException($"node {script} wrote no JSON")
            : throw new InvalidOperationException($"node {script} exited with {process.ExitCode}: {await stderr}");
    }

    private static string? FindNode()
    {
        if (Environment.GetEnvironmentVariable("KIT_NODE") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, OperatingSystem.IsWindows() ? "node.exe" : "node"))
            .FirstOrDefault(File.Exists);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("No Directory.Packages.props above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// A fact that needs an npm package from <see cref="NodeTools"/>: skipped, with the install command as the reason, where it
/// is missing, except in CI (<c>CI=true</c>), where a missing tool must fail the run instead of hiding the check.
/// </summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute(string package)
    {
        if (!string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            && NodeTools.MissingReason(package) is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>The theory form of <see cref="NodeFactAttribute"/>.</summary>
public sealed class NodeTheoryAttribute : TheoryAttribute
{
    public NodeTheoryAttribute(string package)
    {
        if (!string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            && NodeTools.MissingReason(package) is { } reason)
        {
            Skip = reason;
        }
    }
}

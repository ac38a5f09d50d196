using System.Diagnostics;

namespace Samples.Tests.OpenApi;

/// <summary>
/// Where node and <c>@apidevtools/swagger-parser</c> are: <c>KIT_NODE</c> (else <c>node</c> on the PATH) and
/// <c>KIT_NODE_MODULES</c> (else <c>.tools/node/node_modules</c> in the repository, where
/// <c>npm install --prefix .tools/node @apidevtools/swagger-parser@12.1.0</c> puts it).
/// </summary>
public static class OpenApiTools
{
    public static string? Node { get; } = FindNode();

    public static string NodeModules { get; } = Environment.GetEnvironmentVariable("KIT_NODE_MODULES") is { Length: > 0 } modules
        ? modules
        : Path.Combine(RepositoryRoot(), ".tools", "node", "node_modules");

    public static bool HasSwaggerParser => Directory.Exists(Path.Combine(NodeModules, "@apidevtools", "swagger-parser"));

    /// <summary>Why the validator cannot run here, or <see langword="null"/> when it can.</summary>
    public static string? Missing =>
        Node is null ? "node is not installed (or KIT_NODE does not point at it)"
        : !HasSwaggerParser ? $"@apidevtools/swagger-parser is not in {NodeModules}: npm install --prefix .tools/node @apidevtools/swagger-parser@12.1.0"
        : null;

    /// <summary>Runs the validator script on a document file: exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> ValidateAsync(string documentFile)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "OpenApi", "validate-openapi.mjs");
        var info = new ProcessStartInfo(Node ?? "node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(NodeModules);
        info.ArgumentList.Add(documentFile);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string? FindNode()
    {
        if (Environment.GetEnvironmentVariable("KIT_NODE") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, OperatingSystem.IsWindows() ? "node.exe" : "node");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string RepositoryRoot() => Path.GetFullPath(Path.Combine(SamplePaths.SamplesRoot, ".."));
}

/// <summary>
/// A theory that needs node and swagger-parser: skipped with the reason when they are absent, except in CI
/// (<c>CI=true</c>), where it runs and fails, so that a CI machine without them cannot pass by skipping.
/// </summary>
public sealed class OpenApiValidatorTheoryAttribute : TheoryAttribute
{
    public OpenApiValidatorTheoryAttribute()
    {
        if (OpenApiTools.Missing is { } missing && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = missing;
        }
    }
}

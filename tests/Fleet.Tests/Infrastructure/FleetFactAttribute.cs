namespace Fleet.Tests.Infrastructure;

/// <summary>
/// A fact that needs the fleet's servers: PostgreSQL from the distribution (or root to install it) and Node.js for the S3
/// test server. Elsewhere it is skipped with the reason; under <c>CI=true</c> it always runs (and fails if they are
/// missing), so that CI can never pass by skipping.
/// </summary>
public sealed class FleetFactAttribute : FactAttribute
{
    public FleetFactAttribute()
    {
        if (UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>Why the fleet cannot start here, or <see langword="null"/> when it can (always under <c>CI=true</c>).</summary>
    public static string? UnavailableReason { get; } = FindUnavailableReason();

    private static string? FindUnavailableReason()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!OperatingSystem.IsLinux())
        {
            return "the fleet's servers (eng/servers/*.sh) need Linux";
        }

        var postgreSql = Directory.Exists("/usr/lib/postgresql")
            && Directory.EnumerateFiles("/usr/lib/postgresql", "initdb", SearchOption.AllDirectories).Any();
        if (!postgreSql && Environment.UserName != "root")
        {
            return "PostgreSQL is not installed (apt-get install postgresql) and installing it needs root";
        }

        var node = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, "node")));
        return node ? null : "Node.js (node on PATH) is needed for the S3 test server";
    }
}

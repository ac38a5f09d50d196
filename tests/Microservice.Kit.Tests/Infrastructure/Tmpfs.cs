using System.Diagnostics;

namespace Microservice.Kit.Tests.Infrastructure;

/// <summary>
/// A small tmpfs mounted for one test, so that "the disk is full" is the operating system's real ENOSPC and not a
/// simulation. Mounting needs root on Linux; elsewhere the tests that use it are skipped, except under
/// <c>CI=true</c>, where a missing tmpfs is a failure (the CI machine must be able to run them).
/// </summary>
internal sealed class Tmpfs : IDisposable
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    private Tmpfs(string path) => Path = path;

    /// <summary>Why no tmpfs can be mounted here, or <see langword="null"/> when one can.</summary>
    public static string? UnavailableReason => Unavailable.Value;

    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="megabytes"/> MiB on a fresh directory.</summary>
    public static Tmpfs Mount(int megabytes)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kit-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        var (exitCode, output) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0755", "tmpfs", path);
        if (exitCode != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"mount -t tmpfs failed ({exitCode}): {output}");
        }

        return new Tmpfs(path);
    }

    /// <summary>Fills the file system with one file until ENOSPC; returns its path.</summary>
    public string Fill(string name = "filler")
    {
        var path = System.IO.Path.Combine(Path, name);
        var chunk = new byte[64 * 1024];
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true)
            {
                file.Write(chunk);
            }
        }
        catch (IOException exception) when (exception.HResult == 28)
        {
            // Full: tmpfs refuses whole pages, so a few bytes may still be free for a file's last page.
        }

        return path;
    }

    public long AvailableBytes => new DriveInfo(Path).AvailableFreeSpace;

    public void Dispose()
    {
        if (Run("umount", Path).ExitCode != 0)
        {
            // Something still holds a file open (a process being torn down): detach now, freed when released.
            Run("umount", "-l", Path);
        }

        Directory.Delete(Path, recursive: true);
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "tmpfs tests need Linux";
        }

        if (Environment.UserName != "root")
        {
            return "tmpfs tests need root (mount -t tmpfs); run the tests as root to include them";
        }

        try
        {
            Mount(1).Dispose();
            return null;
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return "cannot mount a tmpfs here: " + exception.Message;
        }
    }

    private static (int ExitCode, string Output) Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}

/// <summary>A fact that needs <see cref="Tmpfs"/>: skipped where none can be mounted, but run (and failing) under <c>CI=true</c>.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    private bool _embeddedBackendOnly;

    public TmpfsFactAttribute()
    {
        if (Tmpfs.UnavailableReason is { } reason && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = reason;
        }
    }

    /// <summary>
    /// Whether the fact is about what the embedded backends keep on the disk (the samples' LiteDB file): skipped when the
    /// samples run on the shared ones (<c>KIT_SAMPLES_BACKEND=shared</c>), where the database is not on this disk.
    /// </summary>
    public bool EmbeddedBackendOnly
    {
        get => _embeddedBackendOnly;
        set
        {
            _embeddedBackendOnly = value;
            if (value && string.Equals(Environment.GetEnvironmentVariable("KIT_SAMPLES_BACKEND"), "shared", StringComparison.Ordinal))
            {
                Skip = "About the embedded backends' files on the disk; KIT_SAMPLES_BACKEND=shared keeps the records in PostgreSQL.";
            }
        }
    }
}

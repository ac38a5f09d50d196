using System.Runtime.InteropServices;

namespace Microservice.Kit.Files.Internal;

/// <summary>
/// Publishes a finished temporary file under its final name only if that name is free, decided by the
/// operating system in one step, so that of several concurrent writers of one id exactly one wins.
/// </summary>
/// <remarks>
/// <see cref="File.Move(string, string, bool)"/> without overwrite is not enough on Unix: under 32 concurrent
/// writers on ext4 several of them "won" (measured in <c>LocalFileStoreTests</c>), because the runtime may check
/// for the destination and then rename. <c>link(2)</c> fails with <c>EEXIST</c> atomically, so it is used
/// directly; on Windows <c>MoveFileEx</c> without <c>MOVEFILE_REPLACE_EXISTING</c> is already atomic.
/// </remarks>
internal static partial class AtomicFile
{
    private const int EEXIST = 17; // the same on Linux and macOS

    private static readonly Lock FallbackGate = new();

    /// <summary>Moves <paramref name="temp"/> to <paramref name="path"/> unless <paramref name="path"/> exists.</summary>
    /// <returns><see langword="false"/> when <paramref name="path"/> already exists; <paramref name="temp"/> is then left in place.</returns>
    public static bool TryPublishNew(string temp, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(temp, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
        }

        if (TryLink(temp, path, out var errno))
        {
            File.Delete(temp);
            return true;
        }

        if (errno == EEXIST)
        {
            return false;
        }

        // A file system without hard links (some network and FUSE mounts): no single-step primitive is left,
        // so at least writers in this process are serialised; docs/files.md says to keep a store on a local disk.
        lock (FallbackGate)
        {
            if (File.Exists(path))
            {
                return false;
            }

            File.Move(temp, path, overwrite: false);
            return true;
        }
    }

    internal static bool TryLink(string oldPath, string newPath, out int errno)
    {
        try
        {
            var result = OperatingSystem.IsLinux() ? LinkGlibc(oldPath, newPath) : LinkLibc(oldPath, newPath);
            errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
            return result == 0;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library under another name (musl): take the fallback path.
            errno = -1;
            return false;
        }
    }

#pragma warning disable SYSLIB1054, CA5392 // a plain P/Invoke keeps the package free of unsafe code; the library name is fixed per platform
    [DllImport("libc.so.6", EntryPoint = "link", SetLastError = true)]
    private static extern int LinkGlibc([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int LinkLibc([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
#pragma warning restore SYSLIB1054, CA5392
}

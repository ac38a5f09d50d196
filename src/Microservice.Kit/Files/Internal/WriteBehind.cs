using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Microservice.Kit.Files.Internal;

/// <summary>
/// Asks the kernel to start writing a range of a file's dirty pages to the disk now, without waiting for it
/// (<c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>, Linux only), so that the disk works while the rest of the file is
/// hashed and copied and the final fsync has little left to wait for.
/// </summary>
/// <remarks>
/// A hint, not a guarantee: it neither flushes metadata nor the device's cache, so the store still fsyncs once before
/// publishing, and where the call is missing (another OS, a C library without it) or refused (a file system that
/// does not support it) the only loss is the overlap. Measured in docs/performance.md ("Files").
/// </remarks>
internal static partial class WriteBehind
{
    private const uint SyncFileRangeWrite = 2;

    // Cleared for good the first time the C library turns out not to have the call.
    private static volatile bool s_available = OperatingSystem.IsLinux();

    /// <summary>Starts the write-back of <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/>.</summary>
    /// <returns>Whether the kernel accepted the request (<see langword="false"/> off Linux or where the call is refused).</returns>
    public static bool Start(SafeFileHandle file, long offset, long count)
    {
        if (!s_available || count <= 0)
        {
            return false;
        }

        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return SyncFileRange((int)file.DangerousGetHandle(), offset, count, SyncFileRangeWrite) == 0;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library under another name (musl) or without the call: the final fsync still does all the work.
            s_available = false;
            return false;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

#pragma warning disable SYSLIB1054, CA5392 // a plain P/Invoke keeps the package free of unsafe code; the library name is fixed per platform
    [DllImport("libc.so.6", EntryPoint = "sync_file_range", SetLastError = true)]
    private static extern int SyncFileRange(int fd, long offset, long count, uint flags);
#pragma warning restore SYSLIB1054, CA5392
}

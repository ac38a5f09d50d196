namespace Microservice.Kit.Problems.Internal;

/// <summary>Recognises the operating system's "disk full" error, wherever a library wrapped it.</summary>
internal static class StorageErrors
{
    // On Unix .NET puts the raw errno in IOException.HResult; on Windows the HRESULT of the Win32 error.
    private const int Enospc = 28;             // Linux and macOS
    private const int LinuxEdquot = 122;       // a disk quota of the user, not of the kit
    private const int MacEdquot = 69;
    private const int ErrorHandleDiskFull = unchecked((int)0x80070027);
    private const int ErrorDiskFull = unchecked((int)0x80070070);

    /// <summary>Whether <paramref name="exception"/> or one of its inner exceptions is an <see cref="IOException"/> for a full disk or an exhausted quota.</summary>
    public static bool IsDiskFull(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is IOException io && IsDiskFullCode(io.HResult))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsDiskFullCode(int hresult)
    {
        if (OperatingSystem.IsWindows())
        {
            return hresult is ErrorDiskFull or ErrorHandleDiskFull;
        }

        return hresult == Enospc || (OperatingSystem.IsLinux() ? hresult == LinuxEdquot : hresult == MacEdquot);
    }
}

namespace Microservice.Kit.Hosting.Internal;

/// <summary>
/// Files and directories the kit creates are the service user's alone: stored files, pictures and the database
/// (password hashes) are nobody else's business on a shared host, and a directory the others cannot enter protects
/// even a file an older version left readable. Windows has no mode bits; its ACLs inherit from the parent.
/// </summary>
internal static class OwnerOnly
{
    /// <summary>0600.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>0700.</summary>
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> and every missing parent as 0700; an existing directory keeps its mode (it may be shared on purpose).</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else if (!Directory.Exists(path))
        {
            // The mode overload applies the mode to the last directory only; every parent it creates gets the
            // default, so create the missing ones top-down.
            var full = Path.GetFullPath(path);
            var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(full));
            if (parent is not null)
            {
                CreateDirectory(parent);
            }

            Directory.CreateDirectory(full, DirectoryMode);
        }
    }

    /// <summary>Sets <see cref="FileStreamOptions.UnixCreateMode"/> to 0600 where the platform has it, so that the file is never readable by others, not even for a moment.</summary>
    public static FileStreamOptions ForNewFile(FileStreamOptions options)
    {
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return options;
    }

    /// <summary>Creates an empty 0600 file at <paramref name="path"/> if there is none, for a library that creates its files with the default mode and opens an existing one as it is.</summary>
    public static void CreateFileIfMissing(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            using var _ = new FileStream(path, ForNewFile(new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete }));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Someone else created it first: it is theirs to keep as it is.
        }
    }
}

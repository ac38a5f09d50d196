using System.Security.Cryptography;
using System.Text;
using Microservice.Kit.Files;

namespace Microservice.Kit.Tests.Files;

/// <summary>Small files with the right magic bytes, the rest random, so that a round trip proves every byte survives.</summary>
internal static class TestFiles
{
    /// <summary>The provider's store inside the kit's wrapper, to look at what the provider made.</summary>
    public static IFileStore Unwrap(IFileStore store) => store is Microservice.Kit.Files.Internal.FileStorePipeline pipeline ? pipeline.Inner : store;

    public static byte[] Png(int size = 4096) => With([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52], size);

    public static byte[] Jpeg(int size = 4096) => With([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00], size);

    public static byte[] Gif(int size = 1024) => With("GIF89a"u8.ToArray(), size);

    public static byte[] WebP(int size = 2048) => With([.. "RIFF"u8, 0x10, 0x00, 0x00, 0x00, .. "WEBPVP8 "u8], size);

    public static byte[] Pdf(int size = 8192)
    {
        var bytes = With(Encoding.ASCII.GetBytes("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n"), size);
        Encoding.ASCII.GetBytes("\n%%EOF\n").CopyTo(bytes, size - 7);
        return bytes;
    }

    public static byte[] Mp4(int size = 64 * 1024) => With([0x00, 0x00, 0x00, 0x18, .. "ftypmp42"u8, 0, 0, 0, 0, .. "mp42isom"u8, 0, 0, 0, 8, .. "mdat"u8], size);

    public static byte[] QuickTime(int size = 8192) => With([0x00, 0x00, 0x00, 0x14, .. "ftypqt  "u8, 0, 0, 0, 0, .. "qt  "u8], size);

    public static byte[] WebM(int size = 32 * 1024) => With([0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01], size);

    public static byte[] Binary(int size = 100_000) => With([0x00, 0x01, 0x02, 0xFE], size);

    public static byte[] Executable(int size = 4096) => With("MZ"u8.ToArray(), size);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static byte[] With(byte[] magic, int size)
    {
        var bytes = new byte[Math.Max(size, magic.Length)];
        new Random(size ^ magic[0]).NextBytes(bytes);
        magic.CopyTo(bytes, 0);
        return bytes;
    }
}

/// <summary>A fresh directory under the system temp folder, deleted at the end of the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kit-files-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Every entry in the directory and below, relative names, sorted.</summary>
    public string[] Entries() =>
        Directory.Exists(Path)
            ? Directory.EnumerateFileSystemEntries(Path, "*", SearchOption.AllDirectories).Select(e => System.IO.Path.GetRelativePath(Path, e)).Order(StringComparer.Ordinal).ToArray()
            : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

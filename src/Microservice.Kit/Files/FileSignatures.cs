namespace Microservice.Kit.Files;

/// <summary>
/// Built-in signatures, grouped for <see cref="UploadPolicy.Allowed"/>: <c>Allowed = FileSignatures.Images</c>
/// accepts a PNG named <c>cat.exe</c> and refuses an executable named <c>cat.png</c>.
/// </summary>
public static class FileSignatures
{
    /// <summary>PNG: <c>89 50 4E 47 0D 0A 1A 0A</c>.</summary>
    public static FileSignature Png { get; } = new("image/png", "89 50 4E 47 0D 0A 1A 0A");

    /// <summary>JPEG: <c>FF D8 FF</c>.</summary>
    public static FileSignature Jpeg { get; } = new("image/jpeg", "FF D8 FF");

    /// <summary>GIF 87a and 89a: <c>GIF8</c>.</summary>
    public static FileSignature Gif { get; } = new("image/gif", "47 49 46 38 ?? 61");

    /// <summary>WebP: <c>RIFF....WEBP</c>.</summary>
    public static FileSignature WebP { get; } = new("image/webp", "52 49 46 46 ?? ?? ?? ?? 57 45 42 50");

    /// <summary>BMP: <c>BM</c>.</summary>
    public static FileSignature Bmp { get; } = new("image/bmp", "42 4D");

    /// <summary>PDF: <c>%PDF-</c>.</summary>
    public static FileSignature Pdf { get; } = new("application/pdf", "25 50 44 46 2D");

    /// <summary>QuickTime: an ISO base media file whose major brand is <c>qt  </c>.</summary>
    public static FileSignature QuickTime { get; } = new("video/quicktime", "?? ?? ?? ?? 66 74 79 70 71 74 20 20");

    /// <summary>MP4 and other ISO base media files: <c>ftyp</c> at offset 4.</summary>
    public static FileSignature Mp4 { get; } = new("video/mp4", "?? ?? ?? ?? 66 74 79 70");

    /// <summary>WebM and Matroska (EBML): <c>1A 45 DF A3</c>.</summary>
    public static FileSignature WebM { get; } = new("video/webm", "1A 45 DF A3");

    /// <summary>AVI: <c>RIFF....AVI </c>.</summary>
    public static FileSignature Avi { get; } = new("video/x-msvideo", "52 49 46 46 ?? ?? ?? ?? 41 56 49 20");

    /// <summary>ZIP (also docx, xlsx, jar): <c>PK 03 04</c>.</summary>
    public static FileSignature Zip { get; } = new("application/zip", "50 4B 03 04");

    /// <summary>GZIP: <c>1F 8B</c>.</summary>
    public static FileSignature Gzip { get; } = new("application/gzip", "1F 8B");

    /// <summary>Raster images a browser displays: PNG, JPEG, GIF, WebP, BMP.</summary>
    public static IReadOnlyList<FileSignature> Images { get; } = [Png, Jpeg, Gif, WebP, Bmp];

    /// <summary>Videos: QuickTime, MP4, WebM/Matroska, AVI.</summary>
    public static IReadOnlyList<FileSignature> Videos { get; } = [QuickTime, Mp4, WebM, Avi];

    /// <summary>Documents: PDF.</summary>
    public static IReadOnlyList<FileSignature> Documents { get; } = [Pdf];

    /// <summary>Every built-in signature, the more specific ones first.</summary>
    public static IReadOnlyList<FileSignature> All { get; } = [.. Images, .. Videos, .. Documents, Zip, Gzip];

    /// <summary>Finds the first of <paramref name="candidates"/> that <paramref name="header"/> matches.</summary>
    /// <param name="header">The file's first bytes (64 are always enough for the built-in signatures).</param>
    /// <param name="candidates">The signatures to try, in order; <see langword="null"/> for <see cref="All"/>.</param>
    /// <returns>The matching signature, or <see langword="null"/>.</returns>
    public static FileSignature? Detect(ReadOnlySpan<byte> header, IEnumerable<FileSignature>? candidates = null)
    {
        foreach (var signature in candidates ?? All)
        {
            if (signature.Matches(header))
            {
                return signature;
            }
        }

        return null;
    }
}

using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microservice.Kit.Files.Internal;

/// <summary>
/// The local store keeps a file's metadata in a fixed 4 KiB header in front of its content, in the same file.
/// One file means one atomic rename publishes content and metadata together, so no reader can ever see one
/// without the other, and a 4 KiB content offset keeps the content page-aligned.
/// </summary>
/// <remarks>
/// Layout: 8 bytes magic <c>MKFILE1\n</c>, a 4-byte little-endian length, that many bytes of UTF-8 JSON, zeros up
/// to <see cref="Size"/>, then the content.
/// </remarks>
internal static class FileHeader
{
    public const int Size = 4096;

    private const int PrefixSize = 12;

    private static ReadOnlySpan<byte> Magic => "MKFILE1\n"u8;

    public static byte[] Encode(FileMetadata metadata)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(metadata, FileJsonContext.Default.FileMetadata);
        if (json.Length > Size - PrefixSize)
        {
            // Unreachable with the length caps on names and content types; a guard, not a code path.
            throw new InvalidOperationException("File metadata does not fit its header.");
        }

        var header = new byte[Size];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), json.Length);
        json.CopyTo(header, PrefixSize);
        return header;
    }

    public static FileMetadata? Decode(ReadOnlySpan<byte> header)
    {
        if (header.Length < PrefixSize || !header[..8].SequenceEqual(Magic))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (length <= 0 || length > header.Length - PrefixSize)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(header.Slice(PrefixSize, length), FileJsonContext.Default.FileMetadata);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed record FileMetadata(
    [property: JsonPropertyName("contentType")] string ContentType,
    [property: JsonPropertyName("fileName")] string? FileName,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("created")] DateTimeOffset Created);

[JsonSerializable(typeof(FileMetadata))]
internal sealed partial class FileJsonContext : JsonSerializerContext;

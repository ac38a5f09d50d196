using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// The persisted key ring. Written to a temporary file created owner-only (0600) and renamed over the old one, so that
/// a crash never leaves a half-written file and the private key is never readable by others, not even for a moment.
/// Files written before key lifecycles existed have no <c>activates</c> or <c>retired</c>: their keys activated when created.
/// </summary>
internal static class KeyFile
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static List<StoredTokenKey> Load(string path, ILogger logger)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnlyFile) != 0)
        {
            File.SetUnixFileMode(path, OwnerOnlyFile);
            Log.KeyFilePermissionsTightened(logger);
        }

        var document = JsonSerializer.Deserialize<KeyFileDocument>(File.ReadAllBytes(path))
            ?? throw new InvalidOperationException($"The key file '{path}' is empty.");
        return [.. document.Keys.Select(k => new StoredTokenKey(
            k.KeyId, k.Algorithm, Convert.FromBase64String(k.Pkcs8), k.CreatedAt, k.ActivatesAt ?? k.CreatedAt, k.RetiredAt))];
    }

    public static void Write(string path, IReadOnlyList<StoredTokenKey> keys)
    {
        EnsureDirectory(path);
        var document = new KeyFileDocument
        {
            Keys = [.. keys.Select(k => new KeyFileEntry
            {
                KeyId = k.KeyId,
                Algorithm = k.Algorithm,
                CreatedAt = k.CreatedAt,
                ActivatesAt = k.ActivatesAt,
                RetiredAt = k.RetiredAt,
                Pkcs8 = Convert.ToBase64String(k.PrivateKey.Span),
            })],
        };

        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = OwnerOnlyFile;
        }

        try
        {
            using (var stream = new FileStream(temporary, streamOptions))
            {
                JsonSerializer.Serialize(stream, document);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public static void EnsureDirectory(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }
    }

    private sealed class KeyFileDocument
    {
        [JsonPropertyName("keys")]
        public List<KeyFileEntry> Keys { get; set; } = [];
    }

    private sealed class KeyFileEntry
    {
        [JsonPropertyName("kid")]
        public string KeyId { get; set; } = "";

        [JsonPropertyName("alg")]
        public string Algorithm { get; set; } = "";

        [JsonPropertyName("created")]
        public DateTimeOffset CreatedAt { get; set; }

        [JsonPropertyName("activates")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public DateTimeOffset? ActivatesAt { get; set; }

        [JsonPropertyName("retired")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public DateTimeOffset? RetiredAt { get; set; }

        [JsonPropertyName("pkcs8")]
        public string Pkcs8 { get; set; } = "";
    }
}

using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;

namespace Fleet.Tests.Infrastructure;

/// <summary>What the fleet tests need of the samples' HTTP contract beyond <see cref="Api"/> (linked from Samples.Tests).</summary>
public static class Http
{
    /// <summary>The id of an entity as it appears in a URL, whatever its JSON type.</summary>
    public static string IdOf(JsonNode entity) =>
        entity["id"]!.GetValueKind() == System.Text.Json.JsonValueKind.String ? entity["id"]!.GetValue<string>() : entity["id"]!.ToJsonString();

    /// <summary>The <c>kid</c> in a token's protected header.</summary>
    public static string KeyIdOf(string token)
    {
        var header = token.Split('.')[0].Replace('-', '+').Replace('_', '/');
        header = header.PadRight(header.Length + ((4 - (header.Length % 4)) % 4), '=');
        return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(header)))!["kid"]!.GetValue<string>();
    }

    /// <summary>The <c>kid</c>s a service publishes at <c>/.well-known/jwks.json</c>.</summary>
    public static async Task<string[]> JwksKeyIdsAsync(this HttpClient client)
    {
        var jwks = JsonNode.Parse(await client.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative)))!;
        return [.. jwks["keys"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>()).Order(StringComparer.Ordinal)];
    }

    /// <summary>A multipart upload for <c>POST /api/v1/files</c>: the bytes, a <c>file_id</c>, <c>overwrite=false</c>.</summary>
    public static MultipartFormDataContent Upload(byte[] content, string fileId)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(fileId, Encoding.UTF8), "file_id" },
            { new StringContent("false", Encoding.UTF8), "overwrite" },
        };
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", fileId + ".bin");
        return form;
    }

    public static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

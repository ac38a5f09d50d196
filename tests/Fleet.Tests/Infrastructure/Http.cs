using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;

namespace Fleet.Tests.Infrastructure;

/// <summary>The samples' HTTP contract, as the fleet tests speak it.</summary>
public static class Http
{
    public const string AdminUser = "admin";
    public const string DevAdminPassword = "admin-dev-password";

    public static async Task<string> GetTokenAsync(this HttpClient client, string username, string password)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/tokens", new { username, password });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"token request to {client.BaseAddress} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["access_token"]!.GetValue<string>();
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? token, object? json = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        return request;
    }

    public static async Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string path, string? token, object? json = null)
    {
        using var request = Request(method, path, token, json);
        return await client.SendAsync(request);
    }

    /// <summary>Reads a JSON object body, failing with the body when the status is not the expected one.</summary>
    public static async Task<JsonObject> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public static async Task<JsonObject> CreateEmployeeAsync(this HttpClient client, string token, string name)
    {
        using var response = await client.SendAsync(HttpMethod.Post, "/api/v1/employees", token, new { name, address = "1 Replica Row" });
        return await response.ReadJsonAsync(HttpStatusCode.Created);
    }

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

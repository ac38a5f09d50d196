using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Samples.Tests.Infrastructure;

/// <summary>Small helpers that speak the samples' HTTP contract, so that tests read as the contract does.</summary>
public static class Api
{
    public const string AdminUser = "admin";
    public const string DevAdminPassword = "admin-dev-password";
    public const string ProblemJson = "application/problem+json";

    /// <summary>The eight-byte PNG signature (RFC 2083): what a file-signature check looks for.</summary>
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static async Task<string> GetTokenAsync(this HttpClient client, string username, string password)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/tokens", new { username, password });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"token request for '{username}' answered {(int)response.StatusCode}: {body}");
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

    /// <summary>Asserts an RFC 9457 problem with the status (and code, when given) and returns it.</summary>
    public static async Task<JsonObject> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode expected, string? code = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal((int)expected, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["code"]?.GetValue<string>()), $"problem without a code: {body}");
        if (code is not null)
        {
            Assert.Equal(code, problem["code"]!.GetValue<string>());
        }

        return problem;
    }

    public static async Task<JsonObject> CreateEmployeeAsync(this HttpClient client, string token, string name = "Ada Lovelace", string address = "12 St James's Square, London")
    {
        using var response = await client.SendAsync(HttpMethod.Post, "/api/v1/employees", token, new { name, address });
        return await response.ReadJsonAsync(HttpStatusCode.Created);
    }

    public static async Task CreateUserAsync(this HttpClient client, string adminToken, string username, string password, params string[] permissions)
    {
        using var response = await client.SendAsync(HttpMethod.Post, "/api/v1/users", adminToken, new { username, password, permissions });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"creating user '{username}' answered {(int)response.StatusCode}: {body}");
    }

    /// <summary>A unique name, so that tests sharing one service never see each other's data.</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>The id of an entity as it appears in a URL, whatever its JSON type.</summary>
    public static string IdOf(JsonNode entity, string member = "id") =>
        entity[member]!.GetValueKind() == JsonValueKind.String ? entity[member]!.GetValue<string>() : entity[member]!.ToJsonString();

    /// <summary>A multipart form with a <c>file</c> part and, when given, <c>file_id</c> and <c>overwrite</c>.</summary>
    public static MultipartFormDataContent Multipart(HttpContent file, string contentType, string fileName, string? fileId = null, string? overwrite = null)
    {
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var form = new MultipartFormDataContent();
        if (fileId is not null)
        {
            form.Add(new StringContent(fileId, Encoding.UTF8), "file_id");
        }

        if (overwrite is not null)
        {
            form.Add(new StringContent(overwrite, Encoding.UTF8), "overwrite");
        }

        form.Add(file, "file", fileName);
        return form;
    }

    public static MultipartFormDataContent Multipart(byte[] content, string contentType, string fileName, string? fileId = null, string? overwrite = null) =>
        Multipart(new ByteArrayContent(content), contentType, fileName, fileId, overwrite);

    /// <summary>A PNG of <paramref name="size"/> bytes: the PNG signature, then deterministic pseudo-random bytes.</summary>
    public static byte[] Png(int size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        PngSignature.CopyTo(bytes, 0);
        return bytes;
    }

    /// <summary>Arbitrary binary content (no image signature).</summary>
    public static byte[] Binary(int size, int seed = 2)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0x00; // never accidentally an image signature
        return bytes;
    }

    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;
}

/// <summary>
/// Content of a given length, written in chunks as it is sent and never held in memory, for bodies over an
/// upload limit. It starts with the PNG signature so that a type check cannot be what rejects it.
/// </summary>
public sealed class LargeContent(long size) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var chunk = Api.Png(64 * 1024);
        var left = size;
        while (left > 0)
        {
            var count = (int)Math.Min(chunk.Length, left);
            await stream.WriteAsync(chunk.AsMemory(0, count));
            left -= count;
            chunk[0] = 0; // only the first chunk carries the signature
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = size;
        return true;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace BareEmployees;

internal sealed record EmployeeBody(string Name, string Address);

/// <summary>The Employees sample's v1 shape.</summary>
internal sealed record EmployeeResponse(int Id, string Name, string Address, string? PictureId);

internal sealed record TokenRequest(string Username, string Password);

internal sealed record TokenResponse([property: JsonPropertyName("access_token")] string AccessToken);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EmployeeBody))]
[JsonSerializable(typeof(EmployeeResponse))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
internal sealed partial class BareJsonContext : JsonSerializerContext;

using System.Globalization;
using System.Text.Json;

namespace Samples.Tests.OpenApi;

/// <summary>
/// One service's OpenAPI documents read as a contract: for a real response, is its status declared for the
/// operation, its media type among the declared ones, and its JSON body of the declared schema (types,
/// required properties, nested objects and arrays, enums, through <c>$ref</c>)? Small on purpose: the JSON Schema
/// keywords the kit's documents use, not all of JSON Schema.
/// </summary>
public sealed class OpenApiContract
{
    private readonly List<(string Name, JsonObject Document)> _documents = [];
    private readonly HashSet<string> _exercised = new(StringComparer.Ordinal);
    private readonly List<string> _failures = [];

    public static async Task<OpenApiContract> LoadAsync(HttpClient client, params string[] documentNames)
    {
        var contract = new OpenApiContract();
        foreach (var name in documentNames)
        {
            var text = await client.GetStringAsync(new Uri($"/openapi/{name}.json", UriKind.Relative));
            contract._documents.Add((name, JsonNode.Parse(text)!.AsObject()));
        }

        return contract;
    }

    /// <summary>What did not match, one line each.</summary>
    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Operations (<c>GET /api/v2/employees/{id}</c>) of the documents that no checked response exercised.</summary>
    public IEnumerable<string> Unexercised =>
        _documents.SelectMany(d => Operations(d.Document)).Where(o => !_exercised.Contains(o)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    /// <summary>The <c>application/json</c> request body schemas (references resolved) of every <paramref name="method"/> operation, by path.</summary>
    public IEnumerable<(string Path, JsonObject Schema)> JsonRequestBodies(string method)
    {
        foreach (var (_, document) in _documents)
        {
            foreach (var (path, item) in document["paths"]!.AsObject())
            {
                if (item![method]?["requestBody"]?["content"]?["application/json"]?["schema"] is JsonObject schema)
                {
                    yield return (path, Resolve(document, schema));
                }
            }
        }
    }

    /// <summary>Checks one response against the operation it answered; records a failure for each mismatch.</summary>
    public async Task CheckAsync(HttpResponseMessage response)
    {
        var request = response.RequestMessage!;
        var method = request.Method.Method.ToLowerInvariant();
        var path = request.RequestUri!.AbsolutePath;
        var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        var body = await response.Content.ReadAsStringAsync();
        var where = $"{request.Method} {path} -> {status}";

        var found = _documents
            .Select(d => (d.Document, Template: Template(d.Document, path, method)))
            .FirstOrDefault(m => m.Template is not null);
        if (found.Template is null)
        {
            _failures.Add($"{where}: no document declares this operation");
            return;
        }

        _exercised.Add($"{request.Method.Method} {found.Template}");
        var operation = found.Document["paths"]![found.Template]![method]!.AsObject();
        if (operation["responses"]?[status] is not JsonObject declared)
        {
            _failures.Add($"{where}: status not declared (declared: {string.Join(", ", operation["responses"]!.AsObject().Select(r => r.Key))})");
            return;
        }

        var content = declared["content"] as JsonObject;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (body.Length == 0)
        {
            return;
        }

        if (content is null || mediaType is null)
        {
            _failures.Add($"{where}: a {mediaType} body where the document declares none");
            return;
        }

        var media = content[mediaType] ?? content["*/*"];
        if (media is null)
        {
            _failures.Add($"{where}: media type {mediaType} not declared (declared: {string.Join(", ", content.Select(c => c.Key))})");
            return;
        }

        if (mediaType.EndsWith("json", StringComparison.Ordinal) && media["schema"] is JsonObject schema)
        {
            CheckValue(found.Document, schema, JsonNode.Parse(body), $"{where} body", depth: 0);
        }
    }

    private void CheckValue(JsonObject document, JsonObject schema, JsonNode? value, string at, int depth)
    {
        if (depth > 32)
        {
            return;
        }

        if (schema["$ref"] is not null)
        {
            CheckValue(document, Resolve(document, schema), value, at, depth + 1);
            return;
        }

        var kind = KindOf(value);
        if (schema["type"] is { } type)
        {
            var allowed = type is JsonArray many ? many.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
            if (!allowed.Contains(kind) && !(kind == "integer" && allowed.Contains("number")))
            {
                _failures.Add($"{at}: is {kind}, the schema says {string.Join(" or ", allowed)}");
                return;
            }
        }

        if (schema["enum"] is JsonArray values && !values.Any(v => JsonNode.DeepEquals(v, value)))
        {
            _failures.Add($"{at}: {value?.ToJsonString()} is not one of {values.ToJsonString()}");
        }

        if (value is JsonObject obj)
        {
            foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()))
            {
                if (!obj.ContainsKey(required))
                {
                    _failures.Add($"{at}: required property '{required}' is missing");
                }
            }

            foreach (var (name, property) in schema["properties"] as JsonObject ?? [])
            {
                if (obj.TryGetPropertyValue(name, out var member))
                {
                    CheckValue(document, property!.AsObject(), member, $"{at}.{name}", depth + 1);
                }
            }
        }
        else if (value is JsonArray array && schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                CheckValue(document, items, array[i], $"{at}[{i}]", depth + 1);
            }
        }
    }

    private static JsonObject Resolve(JsonObject document, JsonObject schema) =>
        schema["$ref"]?.GetValue<string>() is { } reference
            ? document["components"]!["schemas"]![reference["#/components/schemas/".Length..]]!.AsObject()
            : schema;

    private static string KindOf(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => value.ToJsonString().Any(c => c is '.' or 'e' or 'E') ? "number" : "integer",
        _ => "undefined",
    };

    /// <summary>The path template of the document that <paramref name="path"/> matches for <paramref name="method"/>.</summary>
    private static string? Template(JsonObject document, string path, string method)
    {
        var segments = path.Trim('/').Split('/');
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            var parts = template.Trim('/').Split('/');
            if (item![method] is not null
                && parts.Length == segments.Length
                && parts.Zip(segments).All(p => p.First.StartsWith('{') || string.Equals(p.First, p.Second, StringComparison.Ordinal)))
            {
                return template;
            }
        }

        return null;
    }

    private static IEnumerable<string> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()
            .Where(o => o.Key is "get" or "put" or "post" or "delete" or "patch" or "head" or "options")
            .Select(o => $"{o.Key.ToUpperInvariant()} {p.Key}"));
}

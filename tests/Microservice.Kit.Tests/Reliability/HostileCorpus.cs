using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microservice.Kit.Tests.Reliability;

/// <summary>One generated request: what it attacks, and exactly what goes on the wire.</summary>
/// <param name="Category">What it attacks (json, multipart, token, ...); counts are reported per category.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path and query, already escaped as it should be sent.</param>
/// <param name="Body">The body bytes, or <see langword="null"/>.</param>
/// <param name="ContentType">The raw Content-Type header, or <see langword="null"/> for none.</param>
/// <param name="Headers">Extra headers, added without validation.</param>
/// <param name="Authorization">The raw Authorization header; <see langword="null"/> sends the valid token.</param>
public sealed record HostileRequest(
    string Category,
    string Method,
    string Path,
    byte[]? Body = null,
    string? ContentType = null,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null,
    string? Authorization = null)
{
    /// <summary>Sends no Authorization header at all.</summary>
    public const string NoAuthorization = "";
}

/// <summary>The routes of a service the corpus aims at, in the samples' HTTP contract.</summary>
/// <param name="JsonPosts">(path, a valid JSON body) pairs for create routes.</param>
/// <param name="JsonPuts">(path with an existing id, a valid JSON body) pairs for update routes.</param>
/// <param name="IdRoutes">Route templates with <c>{id}</c> (integer ids), each with the methods it serves.</param>
/// <param name="ListPaths">Paged list routes that take <c>page</c> and <c>pageSize</c>.</param>
/// <param name="FilesPrefix">The file endpoints' prefix, or <see langword="null"/> when the service has none.</param>
/// <param name="PicturePath">An existing employee's picture route, or <see langword="null"/>.</param>
/// <param name="VersionedPath">A versioned GET route without its <c>/api/vN</c> prefix (<c>/employees/1</c>), or <see langword="null"/>.</param>
public sealed record CorpusTarget(
    IReadOnlyList<(string Path, string Body)> JsonPosts,
    IReadOnlyList<(string Path, string Body)> JsonPuts,
    IReadOnlyList<(string Template, string[] Methods)> IdRoutes,
    IReadOnlyList<string> ListPaths,
    string? FilesPrefix,
    string? PicturePath,
    string? VersionedPath);

/// <summary>
/// Generates hostile requests: malformed and oversized JSON, wrong content types, truncated and mis-bounded
/// multipart bodies, huge headers, invalid ids, hostile tokens (alg none, algorithm confusion, foreign signatures,
/// mutations of a valid token), hostile file ids, versions and query strings, and the findings of the security review
/// (docs/reliability.md) that a request with an all-permissions token can reach. Deterministic for a seed.
/// Depends only on the base class library so that the samples' tests can compile it too.
/// </summary>
public static class HostileCorpus
{
    public const string Boundary = "kit-corpus-boundary-9c1e";

    /// <summary>
    /// Whether an answer is one Kestrel writes itself, before any application code runs, with an empty body (so not a
    /// problem document): 431 for headers over its 32 KiB limit, 414 for a request line over 8 KiB, and 400 for a
    /// path with an encoded NUL (<c>%00</c>), which Kestrel refuses to decode.
    /// </summary>
    public static bool IsServerLevel(HostileRequest request, int status, string body) =>
        body.Length == 0 && (status is 414 or 431 || (status == 400 && request.Path.Split('?')[0].Contains("%00", StringComparison.Ordinal)));

    private static readonly string[] HostileFileIds =
    [
        "..", ".", "...", "../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e", "%252e%252e%252f", "a/b", "a\\b", "..\\..\\boot.ini",
        ".hidden", ".tmp-0123", "trailing.", "CON", "nul.txt", "COM1", "lpt9.log", "clock$", "a%00b", "a\u0000b", "caf\u00e9",
        "\u2215etc\u2215passwd", "\uFF0E\uFF0E", "a\u202Eb", "a b", "a:b", "C:", "*", "?x", "<x>", "a|b", "\"q\"", new string('a', 129),
        "\uD800", "%c0%ae%c0%ae", "~root", "a;b", "a#b",
    ];

    private static readonly string[] HostileVersions =
    [
        "abc", "99.0", "0.9", "1.0-", "1.0-beta!", "2026-13-01", "2026-02-30", "1.0.0", "v1", "1,0", "1..0", "-1", "1e3",
        "999999999", "1.999999999", "1.0;2.0", "\u0661.0", "2.0-" + new string('a', 33), new string('9', 300),
    ];

    /// <summary>The whole corpus for one target.</summary>
    /// <param name="target">The routes to aim at.</param>
    /// <param name="validToken">A valid token with every permission, so that requests get past authentication.</param>
    /// <param name="jwks">The service's published JWKS (for algorithm-confusion tokens), or <see langword="null"/>.</param>
    /// <param name="seed">Makes the corpus repeatable.</param>
    /// <returns>The requests, in a stable order.</returns>
    public static List<HostileRequest> Generate(CorpusTarget target, string validToken, string? jwks, int seed = 20261128)
    {
        var random = new Random(seed);
        var all = new List<HostileRequest>();
        all.AddRange(Json(target, random));
        all.AddRange(ContentTypes(target));
        all.AddRange(Multipart(target, random));
        all.AddRange(HugeHeaders(target));
        all.AddRange(Ids(target));
        all.AddRange(Tokens(target, validToken, jwks, random));
        all.AddRange(FileIds(target));
        all.AddRange(Versions(target));
        all.AddRange(Queries(target));
        all.AddRange(SecurityReview(target));
        return all;
    }

    /// <summary>Every distinct token the corpus sends, so that a log scan can look for each of them.</summary>
    public static IEnumerable<string> TokensIn(IEnumerable<HostileRequest> requests) =>
        requests.Select(r => r.Authorization).OfType<string>()
            .Select(a => a.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? a[7..] : a)
            .Where(t => t.Length >= 32)
            .Distinct(StringComparer.Ordinal);

    private static IEnumerable<HostileRequest> Json(CorpusTarget target, Random random)
    {
        var routes = target.JsonPosts.Select(p => ("POST", p.Path, p.Body)).Concat(target.JsonPuts.Select(p => ("PUT", p.Path, p.Body))).ToList();
        string[] broken =
        [
            "", "{", "}", "[", "]", "{\"name\":", "{\"name\":\"Ada\"", "{\"name\" \"Ada\"}", "{name:'Ada'}", "nul", "null", "true", "42",
            "\"a string\"", "[1,2,3]", "{\"name\":123,\"address\":[]}", "{\"name\":{\"a\":1},\"address\":true}", "{\"name\":\"\\uD800\"}",
            "{\"name\":\"Ada\",}", "{\"name\":\"Ada\"}garbage", "{\"name\":1e999999}", "{\"name\":NaN}", "{\"a\":\"\u0000\"",
            new string('[', 5000) + new string(']', 5000), string.Concat(Enumerable.Repeat("{\"a\":", 2000)) + "1" + new string('}', 2000),
            "{\"name\":\"" + new string('x', 300) + "\",\"address\":\"y\"}", "{\"name\":\"x\",\"address\":\"" + new string('y', 2000) + "\"}",
            "{\"name\":\"   \",\"address\":\"   \"}", "{\"name\":\"\",\"address\":\"\"}", "{}",
        ];
        foreach (var (method, path, valid) in routes)
        {
            foreach (var body in broken)
            {
                yield return new HostileRequest("json-malformed", method, path, Encoding.UTF8.GetBytes(body), "application/json");
            }

            // Random truncations and byte flips of the valid body.
            var bytes = Encoding.UTF8.GetBytes(valid);
            for (var i = 0; i < 4; i++)
            {
                yield return new HostileRequest("json-malformed", method, path, bytes[..random.Next(1, bytes.Length - 1)], "application/json");
            }

            // 0xFF is never valid UTF-8. It goes into the last string value: in a property name the endpoint does not
            // bind, System.Text.Json skips the name without decoding it, so the request would rightly succeed.
            var flipped = (byte[])bytes.Clone();
            flipped[Array.LastIndexOf(flipped, (byte)'"') - 1] = 0xFF;
            yield return new HostileRequest("json-malformed", method, path, flipped, "application/json");

            // Oversized: a 1 MiB string, and a body over Kestrel's 30 MB request limit.
            // Every field any route takes, each 256 KiB: over every length rule, whatever the route.
            var huge = "\"" + new string('n', 256 * 1024) + "\"";
            yield return new HostileRequest("json-oversized", method, path,
                Encoding.UTF8.GetBytes($"{{\"name\":{huge},\"address\":{huge},\"username\":{huge},\"password\":{huge},\"title\":{huge},\"author\":{huge},\"isbn\":{huge},\"employeeId\":{huge}}}"),
                "application/json");
        }

        if (routes.Count > 0)
        {
            var (method, path, _) = routes[0];
            yield return new HostileRequest("json-oversized", method, path, new byte[31_000_000], "application/json");
        }
    }

    private static IEnumerable<HostileRequest> ContentTypes(CorpusTarget target)
    {
        string?[] types =
        [
            null, "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=" + Boundary,
            "application/json; charset=utf-16", "application/json; charset=nonsense", ";;;", "application/", "*/*", "application/jsonx", "application/xml+jsonx",
        ];
        foreach (var (path, body) in target.JsonPosts.Concat(target.JsonPuts))
        {
            var method = target.JsonPuts.Any(p => p.Path == path) ? "PUT" : "POST";
            foreach (var type in types)
            {
                yield return new HostileRequest("content-type", method, path, Encoding.UTF8.GetBytes(body), type);
            }
        }

        if (target.FilesPrefix is { } files)
        {
            foreach (var type in new[] { "application/json", "text/plain", null, "multipart/mixed; boundary=" + Boundary, "application/octet-stream" })
            {
                yield return new HostileRequest("content-type", "POST", files, Encoding.UTF8.GetBytes("{\"file\":\"AAAA\"}"), type);
            }
        }

        if (target.PicturePath is { } picture)
        {
            yield return new HostileRequest("content-type", "PUT", picture, Encoding.UTF8.GetBytes("{}"), "application/json");
            // A part that is not an image.
            yield return Form("content-type", "PUT", picture, [0x4D, 0x5A, 0x90, 0x00, 1, 2, 3], null);
        }
    }

    private static IEnumerable<HostileRequest> Multipart(CorpusTarget target, Random random)
    {
        var paths = new List<(string Method, string Path)>();
        if (target.FilesPrefix is { } files)
        {
            paths.Add(("POST", files));
        }

        if (target.PicturePath is { } picture)
        {
            paths.Add(("PUT", picture));
        }

        foreach (var (method, path) in paths)
        {
            for (var i = 0; i < 40; i++)
            {
                var file = new byte[random.Next(1, 4000)];
                random.NextBytes(file);
                file[0] = 0x89; // PNG signature, so that a picture route gets to the framing
                "PNG\r\n\u001a\n"u8.ToArray().CopyTo(file, 1);
                var fileId = "corpus-" + i.ToString(CultureInfo.InvariantCulture);
                var (body, type) = MultipartBody(file, fileId, Boundary, Boundary, closed: true);
                var closing = Encoding.ASCII.GetByteCount($"\r\n--{Boundary}--\r\n");
                (byte[] Body, string Type) broken = (i % 8) switch
                {
                    0 => (body[..random.Next(0, body.Length - closing + 4)], type),
                    1 => (MultipartBody(file, fileId, Boundary, "not-the-boundary", closed: true).Body, type),
                    2 => (MultipartBody(file, fileId, Boundary, Boundary, closed: false).Body, type),
                    3 => (body, "multipart/form-data"),
                    4 => MultipartBody(file, fileId, new string('b', 71), new string('b', 71), closed: true),
                    5 => (Replace(body, "\r\n\r\n", "\r\n"), type),
                    6 => (Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file_id\"\r\n\r\n{fileId}\r\n--{Boundary}--\r\n"), type),
                    _ => ([.. Encoding.ASCII.GetBytes($"--{Boundary}\r\n"), .. file], type),
                };
                yield return new HostileRequest("multipart", method, path, broken.Body, broken.Type);
            }
        }

        if (target.FilesPrefix is { } prefix)
        {
            foreach (var overwrite in new[] { "maybe", "yes", "1", "", new string('t', 5000) })
            {
                yield return Form("multipart", "POST", prefix, [1, 2, 3], null, overwrite);
            }

            // A file over the samples' 100 MiB limit is a slow test; one over the 30 MB server limit is enough here.
            yield return new HostileRequest("multipart", "POST", prefix, new byte[31_000_000], "multipart/form-data; boundary=" + Boundary);
        }
    }

    private static IEnumerable<HostileRequest> HugeHeaders(CorpusTarget target)
    {
        var path = (target.ListPaths.Count > 0 ? target.ListPaths[0] : "/health/live");
        yield return new HostileRequest("huge-headers", "GET", path, Headers: [new("X-Huge", new string('h', 40_000))]);
        yield return new HostileRequest("huge-headers", "GET", path, Headers: Enumerable.Range(0, 120).Select(i => new KeyValuePair<string, string>("X-Many-" + i, new string('m', 300))).ToList());
        yield return new HostileRequest("huge-headers", "GET", path, Authorization: "Bearer " + new string('A', 20_000));
        if (target.VersionedPath is not null)
        {
            // Only a versioned service reads these; elsewhere they are rightly ignored.
            yield return new HostileRequest("huge-headers", "GET", path, Headers: [new("Accept", "application/json; v=" + new string('9', 5000))]);
            yield return new HostileRequest("huge-headers", "GET", path, Headers: [new("api-version", new string('1', 10_000))]);
        }
        yield return new HostileRequest("huge-headers", "GET", path + "?x=" + new string('q', 20_000));
        foreach (var (route, methods) in target.IdRoutes.Where(r => r.Methods.Contains("PUT")))
        {
            yield return new HostileRequest("huge-headers", "PUT", route.Replace("{id}", "1", StringComparison.Ordinal),
                Encoding.UTF8.GetBytes(PutBody(target)), "application/json", [new("If-Match", "\"" + new string('9', 4000) + "\"")]);
            yield return new HostileRequest("huge-headers", "PUT", route.Replace("{id}", "1", StringComparison.Ordinal),
                Encoding.UTF8.GetBytes(PutBody(target)), "application/json", [new("If-Match", "W/\"x\", *, \"")]);
        }
    }

    private static IEnumerable<HostileRequest> Ids(CorpusTarget target)
    {
        string[] ids = ["0", "-1", "abc", "1.5", "99999999999", "2147483648", "-2147483649", "%00", "..%2f1", "1%3Bdrop", "1e3", "%20", "0x10", "%E2%80%AE1", "1/2", "007abc"];
        foreach (var (template, methods) in target.IdRoutes)
        {
            foreach (var id in ids)
            {
                foreach (var method in methods)
                {
                    var body = method is "PUT" or "POST" ? Encoding.UTF8.GetBytes(PutBody(target)) : null;
                    yield return new HostileRequest("invalid-id", method, template.Replace("{id}", id, StringComparison.Ordinal), body, body is null ? null : "application/json");
                }
            }
        }
    }

    private static IEnumerable<HostileRequest> Tokens(CorpusTarget target, string validToken, string? jwks, Random random)
    {
        var path = target.ListPaths.Count > 0 ? target.ListPaths[0] : target.IdRoutes[0].Template.Replace("{id}", "1", StringComparison.Ordinal);
        var parts = validToken.Split('.');
        var header = JsonNode.Parse(Base64Url(parts[0]))!.AsObject();
        var payload = Base64Url(parts[1]);
        var kid = header["kid"]?.GetValue<string>() ?? "kid";

        string Forge(JsonObject h, Func<string, string> sign)
        {
            var input = Encode(h.ToJsonString()) + "." + Encode(payload);
            return input + "." + sign(input);
        }

        JsonObject Header(string alg, Action<JsonObject>? change = null)
        {
            var h = new JsonObject { ["alg"] = alg, ["typ"] = "at+jwt", ["kid"] = kid };
            change?.Invoke(h);
            return h;
        }

        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string SignedByAttacker(string input) => Encode(attacker.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
        var forged = new List<string>
        {
            Forge(Header("none"), _ => string.Empty),
            Forge(Header("None"), _ => string.Empty),
            Forge(Header("ES256"), SignedByAttacker),
            Forge(Header("ES256", h => h["kid"] = "../../keys/signing.key"), SignedByAttacker),
            Forge(Header("ES256", h => { h["kid"] = "attacker"; h["jku"] = "http://127.0.0.1:9/jwks.json"; }), SignedByAttacker),
            Forge(Header("ES256", h => { h["kid"] = "attacker"; h["jwk"] = JsonNode.Parse(AttackerJwk(attacker)); }), SignedByAttacker),
            Forge(Header("RS256"), SignedByAttacker),
            Forge(Header("ES512"), SignedByAttacker),
            Forge(Header("HS256"), input => Encode(HMACSHA256.HashData(Encoding.ASCII.GetBytes(kid), Encoding.ASCII.GetBytes(input)))),
            parts[0] + "." + parts[1] + ".",
            parts[0] + "." + parts[1],
            validToken + "." + parts[2],
            parts[0] + "." + Encode("{\"sub\":\"admin\",\"permissions\":[\"*\"]}") + "." + parts[2],
            Encode("{\"alg\":\"ES256\"}") + "." + parts[1] + "." + parts[2],
            "this-is-not-a-token", ".", "..", "...", "Bearer", "null",
        };
        if (jwks is not null)
        {
            // Algorithm confusion: the published public key used as an HMAC secret, in every spelling an attacker might try.
            var key = JsonNode.Parse(jwks)!["keys"]![0]!;
            foreach (var secret in new[] { jwks, key.ToJsonString(), key["x"]!.GetValue<string>() + key["y"]!.GetValue<string>() })
            {
                forged.Add(Forge(Header("HS256"), input => Encode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(input)))));
                forged.Add(Forge(Header("HS384"), input => Encode(HMACSHA384.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(input)))));
            }
        }

        // Mutations of the valid token: one character changed, a run removed, a run inserted.
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (var i = 0; i < 40; i++)
        {
            var at = random.Next(validToken.Length);
            var mutated = (i % 3) switch
            {
                0 => validToken[..at] + Alphabet[(Alphabet.IndexOf(validToken[at], StringComparison.Ordinal) + 1 + random.Next(Alphabet.Length - 1)) % Alphabet.Length] + validToken[(at + 1)..],
                1 => validToken.Remove(at, Math.Min(1 + random.Next(20), validToken.Length - at)),
                _ => validToken.Insert(at, Alphabet[random.Next(Alphabet.Length)].ToString()),
            };
            if (!string.Equals(mutated, validToken, StringComparison.Ordinal))
            {
                forged.Add(mutated);
            }
        }

        foreach (var token in forged)
        {
            yield return new HostileRequest("token", "GET", path, Authorization: "Bearer " + token);
        }

        // The alternative header, other schemes and broken Authorization values.
        yield return new HostileRequest("token", "GET", path, Authorization: HostileRequest.NoAuthorization, Headers: [new("X-Auth-Header", forged[0])]);
        yield return new HostileRequest("token", "GET", path, Authorization: HostileRequest.NoAuthorization, Headers: [new("X-Auth-Header", "Bearer " + forged[2])]);
        yield return new HostileRequest("token", "GET", path, Authorization: "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("admin:wrong")));
        yield return new HostileRequest("token", "GET", path, Authorization: "Bearer");
        yield return new HostileRequest("token", "GET", path, Authorization: "Bearer  ");
        yield return new HostileRequest("token", "GET", path, Authorization: "bearer\t" + parts[0]);
        yield return new HostileRequest("token", "GET", path, Authorization: HostileRequest.NoAuthorization);
    }

    // The security review's findings that this corpus can aim at (docs/reliability.md, "Security review"); the rest
    // need a second caller or a full disk and have tests of their own.
    private static IEnumerable<HostileRequest> SecurityReview(CorpusTarget target)
    {
        // 14.5: a stale If-Match on DELETE and PUT is 412 and changes nothing (RFC 9110 §13.1.1).
        foreach (var (path, body) in target.JsonPuts)
        {
            yield return new HostileRequest("security-review", "DELETE", path, Headers: [new("If-Match", "\"999999\"")]);
            yield return new HostileRequest("security-review", "DELETE", path, Headers: [new("If-Match", "W/\"1\", \"999998\"")]);
            yield return new HostileRequest("security-review", "PUT", path, Encoding.UTF8.GetBytes(body), "application/json", [new("If-Match", "\"999999\"")]);
        }

        foreach (var (path, body) in target.JsonPosts)
        {
            // 14.9: charsets the exception handler once threw on, on a body that is also malformed.
            foreach (var type in new[] { "application/json; charset=utf-7", "application/json; charset=\"utf-8\"", "application/json; charset=\"utf-7\"", "application/json; charset=utf-8; charset=latin1" })
            {
                yield return new HostileRequest("security-review", "POST", path, Encoding.UTF8.GetBytes("{" + body[1..^1]), type);
            }

            // 14.3: a password over 1 KiB is refused before any hashing.
            if (path.EndsWith("/tokens", StringComparison.Ordinal))
            {
                yield return new HostileRequest("security-review", "POST", path,
                    Encoding.UTF8.GetBytes("{\"username\":\"admin\",\"password\":\"" + new string('p', 4096) + "\"}"), "application/json");
            }
        }
    }

    private static IEnumerable<HostileRequest> FileIds(CorpusTarget target)
    {
        if (target.FilesPrefix is not { } prefix)
        {
            yield break;
        }

        foreach (var id in HostileFileIds)
        {
            var escaped = Uri.EscapeDataString(id);
            yield return new HostileRequest("file-id", "GET", prefix + "/" + escaped);
            yield return new HostileRequest("file-id", "DELETE", prefix + "/" + escaped);
            yield return Form("file-id", "POST", prefix, [1, 2, 3, 4], id);
        }

        // Raw (unescaped) traversal that a client library would normally normalise away is sent percent-encoded once more.
        foreach (var raw in new[] { "..%2F..%2Fetc%2Fpasswd", "%2E%2E%5C%2E%2E%5Cwin.ini", "%00", "a%2500b" })
        {
            yield return new HostileRequest("file-id", "GET", prefix + "/" + raw);
        }
    }

    private static IEnumerable<HostileRequest> Versions(CorpusTarget target)
    {
        if (target.VersionedPath is not { } path)
        {
            yield break;
        }

        foreach (var version in HostileVersions)
        {
            yield return new HostileRequest("version", "GET", "/api" + path + "?api-version=" + Uri.EscapeDataString(version));
            if (version.All(char.IsAscii))
            {
                // HTTP/1.1 headers are ASCII: a client library refuses to send anything else.
                yield return new HostileRequest("version", "GET", "/api" + path, Headers: [new("api-version", version)]);
                if (!version.Contains(',', StringComparison.Ordinal) && !version.Contains(';', StringComparison.Ordinal))
                {
                    // In Accept, ',' and ';' separate media types and parameters: "v=1,0" is a valid v=1 plus a type "0".
                    yield return new HostileRequest("version", "GET", "/api" + path, Headers: [new("Accept", "application/json; v=" + version)]);
                }
            }
        }

        foreach (var segment in new[] { "v99", "v0", "vX", "v1.0.0", "v-1", "v", "v2026-13-40", "v1e3", "v" + new string('9', 50) })
        {
            yield return new HostileRequest("version", "GET", "/api/" + segment + path);
        }

        // Two different versions in one request.
        yield return new HostileRequest("version", "GET", "/api" + path + "?api-version=1.0", Headers: [new("api-version", "2.0")]);
        yield return new HostileRequest("version", "GET", "/api" + path + "?api-version=1.0&api-version=2.0");
        yield return new HostileRequest("version", "GET", "/api/v1" + path, Headers: [new("api-version", "2.0")]);
        yield return new HostileRequest("version", "GET", "/api" + path, Headers: [new("api-version", "1.0"), new("Accept", "application/json; v=2.0")]);
    }

    private static IEnumerable<HostileRequest> Queries(CorpusTarget target)
    {
        string[] queries =
        [
            "page=0", "page=-1", "pageSize=0", "pageSize=101", "pageSize=-5", "page=abc", "pageSize=1e2", "page=99999999999",
            "pageSize=2147483648", "page=1&page=2", "pageSize=%00", "page=%zz", "page=1%3Bdrop", "pageSize=1 0", "page=" + new string('9', 400),
        ];
        foreach (var path in target.ListPaths)
        {
            foreach (var query in queries)
            {
                yield return new HostileRequest("query", "GET", path + "?" + query);
            }
        }
    }

    private static string PutBody(CorpusTarget target) => target.JsonPuts.Count > 0 ? target.JsonPuts[0].Body : "{}";

    /// <summary>A multipart upload with a <c>file</c> part and optional <c>file_id</c> and <c>overwrite</c> fields.</summary>
    public static HostileRequest Form(string category, string method, string path, byte[] file, string? fileId, string? overwrite = null)
    {
        var text = new StringBuilder();
        if (fileId is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file_id\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{fileId}\r\n");
        }

        if (overwrite is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"--{Boundary}\r\nContent-Disposition: form-data; name=\"overwrite\"\r\n\r\n{overwrite}\r\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        byte[] body = [.. Encoding.UTF8.GetBytes(text.ToString()), .. file, .. Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n")];
        return new HostileRequest(category, method, path, body, "multipart/form-data; boundary=" + Boundary);
    }

    private static (byte[] Body, string ContentType) MultipartBody(byte[] file, string fileId, string headerBoundary, string bodyBoundary, bool closed)
    {
        var head = Encoding.ASCII.GetBytes(
            $"--{bodyBoundary}\r\nContent-Disposition: form-data; name=\"file_id\"\r\n\r\n{fileId}\r\n" +
            $"--{bodyBoundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n");
        var tail = Encoding.ASCII.GetBytes(closed ? $"\r\n--{bodyBoundary}--\r\n" : "\r\n");
        return ([.. head, .. file, .. tail], "multipart/form-data; boundary=\"" + headerBoundary + "\"");
    }

    private static byte[] Replace(byte[] body, string find, string with)
    {
        var text = Encoding.Latin1.GetString(body);
        var at = text.IndexOf(find, StringComparison.Ordinal);
        return at < 0 ? body : Encoding.Latin1.GetBytes(text[..at] + with + text[(at + find.Length)..]);
    }

    private static string AttackerJwk(ECDsa key)
    {
        var p = key.ExportParameters(false);
        return JsonSerializer.Serialize(new { kty = "EC", crv = "P-256", kid = "attacker", x = Encode(p.Q.X!), y = Encode(p.Q.Y!) });
    }

    private static string Encode(string text) => Encode(Encoding.UTF8.GetBytes(text));

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Base64Url(string segment)
    {
        var s = segment.Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
        return Encoding.UTF8.GetString(Convert.FromBase64String(s));
    }
}

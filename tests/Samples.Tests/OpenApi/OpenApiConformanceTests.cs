using System.Text;

namespace Samples.Tests.OpenApi;

/// <summary>
/// The Employees documents (<c>/openapi/v1.json</c>, <c>/openapi/v2.json</c>) checked two ways: by an independent
/// validator (swagger-parser), and against what the running service really answers for every operation they list.
/// </summary>
[Collection(EmployeesServiceGroup.Name)]
public sealed class OpenApiConformanceTests(EmployeesFixture fixture)
{
    private readonly HttpClient _client = fixture.Client;
    private readonly string _token = fixture.AdminToken;

    [OpenApiValidatorTheory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task Document_IsValid_BySwaggerParser(string name)
    {
        Assert.True(OpenApiTools.Missing is null, $"CI=true and the OpenAPI validator cannot run: {OpenApiTools.Missing}");
        using var data = new TempDirectory("openapi");
        var file = Path.Combine(data.Path, $"{name}.json");
        await File.WriteAllTextAsync(file, await _client.GetStringAsync(new Uri($"/openapi/{name}.json", UriKind.Relative)));

        var (exitCode, output) = await OpenApiTools.ValidateAsync(file);

        Assert.True(exitCode == 0, $"swagger-parser rejected /openapi/{name}.json:\n{output}");
        Assert.StartsWith("valid:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryOperation_AnswersWhatItsDocumentDeclares()
    {
        var contract = await OpenApiContract.LoadAsync(_client, "v1", "v2");
        var user = Api.Unique("openapi");
        await _client.CreateUserAsync(_token, user, "openapi-password-1");      // no permission: 403 everywhere
        var powerless = await _client.GetTokenAsync(user, "openapi-password-1");

        async Task Send(HttpMethod method, string path, string? token = null, object? json = null, HttpContent? content = null, Action<HttpRequestMessage>? headers = null)
        {
            using var request = Api.Request(method, path, token ?? _token, json);
            if (content is not null)
            {
                request.Content = content;
            }

            headers?.Invoke(request);
            using var response = await _client.SendAsync(request);
            await contract.CheckAsync(response);
        }

        // Tokens and users.
        await Send(HttpMethod.Post, "/api/v1/tokens", json: new { username = Api.AdminUser, password = Api.DevAdminPassword });
        await Send(HttpMethod.Post, "/api/v1/tokens", json: new { username = Api.AdminUser });
        await Send(HttpMethod.Post, "/api/v1/tokens", json: new { username = Api.AdminUser, password = "wrong-password" });
        // The same endpoint in OAuth's form encoding: the client-credentials grant (Library's development client).
        FormUrlEncodedContent Grant(params (string Key, string Value)[] fields) =>
            new([new("grant_type", "client_credentials"), .. fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value))]);
        await Send(HttpMethod.Post, "/api/v1/tokens", content: Grant(("client_id", "library"), ("client_secret", "library-dev-client-secret-7f3a9c2e51")));
        await Send(HttpMethod.Post, "/api/v1/tokens", content: Grant(("client_id", "library"), ("client_secret", "not-the-secret-0123456789")));
        await Send(HttpMethod.Post, "/api/v1/tokens", content: Grant(("client_id", "library"), ("client_secret", "library-dev-client-secret-7f3a9c2e51"), ("scope", "users.manage")));
        await Send(HttpMethod.Post, "/api/v1/users", json: new { username = Api.Unique("u"), password = "a-long-password" });
        await Send(HttpMethod.Post, "/api/v1/users", json: new { username = user, password = "a-long-password" });
        await Send(HttpMethod.Post, "/api/v1/users", json: new { username = Api.Unique("u"), password = "short" });
        await Send(HttpMethod.Post, "/api/v1/users", token: powerless, json: new { username = Api.Unique("u"), password = "a-long-password" });

        // Signing keys: the list, a rotation (published now, signing after the activation delay), and both refused.
        await Send(HttpMethod.Get, "/api/v1/keys");
        await Send(HttpMethod.Post, "/api/v1/keys");
        await Send(HttpMethod.Get, "/api/v1/keys", token: powerless);
        await Send(HttpMethod.Post, "/api/v1/keys", token: powerless);

        foreach (var v in new[] { "v1", "v2" })
        {
            var employees = $"/api/{v}/employees";
            using var created = await _client.SendAsync(HttpMethod.Post, employees, _token, new { name = "Ada Lovelace", address = "London" });
            await contract.CheckAsync(created);
            var id = Api.IdOf(await created.ReadJsonAsync(HttpStatusCode.Created));

            await Send(HttpMethod.Post, employees, json: new { name = "", address = "London" });
            await Send(HttpMethod.Post, employees, token: powerless, json: new { name = "Ada", address = "London" });
            await Send(HttpMethod.Get, employees);
            await Send(HttpMethod.Get, employees + "?pageSize=1000");
            await Send(HttpMethod.Get, $"{employees}/{id}");
            await Send(HttpMethod.Get, $"{employees}/{id}", headers: r => r.Headers.Authorization = null);
            await Send(HttpMethod.Get, $"{employees}/987654321");
            await Send(HttpMethod.Put, $"{employees}/{id}", json: new { name = "Ada King", address = "London" });
            await Send(HttpMethod.Put, $"{employees}/{id}", json: new { name = "Ada King", address = "London" }, headers: r => r.Headers.IfMatch.Add(new EntityTagHeaderValue("\"stale\"")));
            await Send(HttpMethod.Put, $"{employees}/987654321", json: new { name = "Ada King", address = "London" });

            var picture = $"{employees}/{id}/picture";
            await Send(HttpMethod.Get, picture);
            await Send(HttpMethod.Delete, picture);
            await Send(HttpMethod.Put, picture, content: Api.Multipart(Api.Png(2048), "image/png", "ada.png"));
            await Send(HttpMethod.Put, picture, content: Api.Multipart(Api.Binary(2048), "application/octet-stream", "ada.bin"));
            await Send(HttpMethod.Put, picture, content: new StringContent("{}", Encoding.UTF8, "application/json"));
            await Send(HttpMethod.Get, picture);
            await Send(HttpMethod.Head, picture);
            await Send(HttpMethod.Get, picture, headers: r => r.Headers.Range = new RangeHeaderValue(0, 9));
            await Send(HttpMethod.Get, picture, headers: r => r.Headers.Range = new RangeHeaderValue(100_000, 100_009));
            await Send(HttpMethod.Delete, picture);

            await Send(HttpMethod.Delete, $"{employees}/{id}");
            await Send(HttpMethod.Delete, $"{employees}/{id}");
        }

        // Files.
        var fileId = Api.Unique("openapi-file");
        await Send(HttpMethod.Post, "/api/v1/files", content: Api.Multipart(Api.Binary(4096), "application/octet-stream", "a.bin", fileId));
        await Send(HttpMethod.Post, "/api/v1/files", content: Api.Multipart(Api.Binary(4096), "application/octet-stream", "a.bin", fileId));
        await Send(HttpMethod.Post, "/api/v1/files", content: Api.Multipart(Api.Binary(16), "application/octet-stream", "a.bin", ".hidden"));
        await Send(HttpMethod.Get, $"/api/v1/files/{fileId}");
        await Send(HttpMethod.Get, $"/api/v1/files/{fileId}", headers: r => r.Headers.Range = new RangeHeaderValue(0, 99));
        await Send(HttpMethod.Head, $"/api/v1/files/{fileId}");
        await Send(HttpMethod.Get, "/api/v1/files/missing-file");
        await Send(HttpMethod.Head, "/api/v1/files/missing-file");
        await Send(HttpMethod.Get, "/api/v1/files/.hidden");
        await Send(HttpMethod.Get, $"/api/v1/files/{fileId}", token: powerless);
        await Send(HttpMethod.Delete, $"/api/v1/files/{fileId}");
        await Send(HttpMethod.Delete, $"/api/v1/files/{fileId}");

        Assert.True(contract.Failures.Count == 0, "responses the documents do not declare:\n" + string.Join('\n', contract.Failures));
        Assert.Empty(contract.Unexercised);
    }

    /// <summary>
    /// For every JSON request body the documents declare on a POST: the body without its optional members is
    /// accepted, and without any one required member refused with 400, so that "required" means what the
    /// service's validation means.
    /// </summary>
    [Fact]
    public async Task RequestBodies_RequiredMembers_MatchTheValidation()
    {
        var contract = await OpenApiContract.LoadAsync(_client, "v1", "v2");
        var bodies = new Dictionary<string, Func<JsonObject>>(StringComparer.Ordinal)
        {
            ["/api/v1/tokens"] = () => new() { ["username"] = Api.AdminUser, ["password"] = Api.DevAdminPassword },
            ["/api/v1/users"] = () => new() { ["username"] = Api.Unique("req"), ["password"] = "a-long-password", ["permissions"] = new JsonArray() },
            ["/api/v1/employees"] = () => new() { ["name"] = "Ada", ["address"] = "London" },
            ["/api/v2/employees"] = () => new() { ["name"] = "Ada", ["address"] = "London", ["email"] = "ada@example.org", ["department"] = "R&D" },
        };

        var failures = new List<string>();
        foreach (var (path, schema) in contract.JsonRequestBodies("post"))
        {
            Assert.True(bodies.ContainsKey(path), $"POST {path} takes a JSON body: add a valid example to this test");
            var required = (schema["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            var members = schema["properties"]!.AsObject().Select(p => p.Key).ToList();

            var minimal = bodies[path]();
            foreach (var optional in members.Where(m => !required.Contains(m)))
            {
                minimal.Remove(optional);
            }

            using (var response = await _client.SendAsync(HttpMethod.Post, path, _token, minimal))
            {
                if (!response.IsSuccessStatusCode)
                {
                    failures.Add($"POST {path} with only its required members {minimal.ToJsonString()} answered {(int)response.StatusCode}");
                }
            }

            foreach (var member in required)
            {
                var without = bodies[path]();
                without.Remove(member);
                using var response = await _client.SendAsync(HttpMethod.Post, path, _token, without);
                if (response.StatusCode != HttpStatusCode.BadRequest)
                {
                    failures.Add($"POST {path} without its required '{member}' answered {(int)response.StatusCode}, not 400");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }
}

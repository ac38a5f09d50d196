using System.Text;

namespace Samples.Tests.Employees;

/// <summary>Rows: <c>POST /api/v1/tokens</c>, <c>GET /.well-known/jwks.json</c>, <c>POST /api/v1/users</c>, and the two token headers.</summary>
[Collection(EmployeesServiceGroup.Name)]
public sealed class TokensAndUsersTests(EmployeesFixture fixture)
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Token_AdminCredentials_Returns200WithBearerToken()
    {
        using var response = await _client.PostAsync("/api/v1/tokens", JsonBody("""{"username":"admin","password":"admin-dev-password"}"""));
        var body = await response.ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("Bearer", body["token_type"]!.GetValue<string>());
        Assert.True(body["expires_in"]!.GetValue<int>() > 0);
        var token = body["access_token"]!.GetValue<string>();
        var segments = token.Split('.');
        Assert.Equal(3, segments.Length);
        var header = JsonNode.Parse(Base64UrlDecode(segments[0]))!;
        Assert.Equal("ES256", header["alg"]!.GetValue<string>());
        Assert.Equal("at+jwt", header["typ"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(header["kid"]?.GetValue<string>()));
    }

    [Fact]
    public async Task Token_Response_CarriesNoStoreAndPragmaNoCache()
    {
        // RFC 6749 §5.1: a response that carries a token must never be stored by a cache.
        using var response = await _client.PostAsync("/api/v1/tokens", JsonBody("""{"username":"admin","password":"admin-dev-password"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, response.Headers.CacheControl?.ToString() ?? "no Cache-Control");
        Assert.Contains("no-cache", response.Headers.Pragma.Select(p => p.Name));
    }

    [Theory]
    [InlineData("admin", "wrong-password")]
    [InlineData("nobody-by-this-name", "admin-dev-password")]
    public async Task Token_WrongCredentials_Returns401(string username, string password)
    {
        using var response = await _client.PostAsync("/api/v1/tokens", JsonBody(System.Text.Json.JsonSerializer.Serialize(new { username, password })));
        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("""{"username":"admin"}""")]
    [InlineData("""{"password":"admin-dev-password"}""")]
    [InlineData("""{"username":"","password":""}""")]
    [InlineData("""{"username":42,"password":"x"}""")]
    public async Task Token_MalformedBody_Returns400(string json)
    {
        using var response = await _client.PostAsync("/api/v1/tokens", JsonBody(json));
        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData(1025)]
    [InlineData(1024 * 1024)]
    public async Task Token_PasswordOver1KiB_Returns400(int length)
    {
        using var response = await _client.PostAsync("/api/v1/tokens", JsonBody(System.Text.Json.JsonSerializer.Serialize(new { username = "admin", password = new string('p', length) })));
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "ValidationFailed");
        Assert.NotNull(problem["errors"]?["password"]);
    }

    [Fact]
    public async Task Jwks_PublishesTheSigningKey_PublicPartsOnly()
    {
        using var response = await _client.GetAsync("/.well-known/jwks.json");
        var jwks = await response.ReadJsonAsync(HttpStatusCode.OK);

        var keys = jwks["keys"]!.AsArray();
        Assert.NotEmpty(keys);
        var kid = JsonNode.Parse(Base64UrlDecode(fixture.AdminToken.Split('.')[0]))!["kid"]!.GetValue<string>();
        Assert.Contains(keys, k => k!["kid"]?.GetValue<string>() == kid);
        foreach (var key in keys)
        {
            Assert.Equal("EC", key!["kty"]!.GetValue<string>());
            Assert.Equal("P-256", key["crv"]!.GetValue<string>());
            Assert.Null(key["d"]); // the private scalar never leaves the service
        }
    }

    [Fact]
    public async Task Token_InXAuthHeader_IsAccepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/employees?page=1&pageSize=1");
        request.Headers.Add("X-Auth-Header", fixture.AdminToken);
        using var response = await _client.SendAsync(request);
        await response.ReadJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Request_WithoutToken_Returns401WithBearerChallenge()
    {
        using var response = await _client.GetAsync("/api/v1/employees");
        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        // RFC 6750 §3.1: no credentials, so no error code in the challenge.
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJhZG1pbiJ9.")]
    public async Task Request_WithBadToken_Returns401InvalidToken(string token)
    {
        using var response = await _client.SendAsync(HttpMethod.Get, "/api/v1/employees", token);
        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_WithTamperedSignature_Returns401()
    {
        var parts = fixture.AdminToken.Split('.');
        var signature = parts[2].ToCharArray();
        signature[5] = signature[5] == 'A' ? 'B' : 'A';
        var tampered = $"{parts[0]}.{parts[1]}.{new string(signature)}";

        using var response = await _client.SendAsync(HttpMethod.Get, "/api/v1/employees", tampered);
        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task CreateUser_Returns201_AndTheUserCanSignIn()
    {
        var username = Api.Unique("clerk");
        using var response = await _client.SendAsync(HttpMethod.Post, "/api/v1/users", fixture.AdminToken,
            new { username, password = "clerk-password-1", permissions = new[] { "emp.list" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var token = await _client.GetTokenAsync(username, "clerk-password-1");
        var claims = JsonNode.Parse(Base64UrlDecode(token.Split('.')[1]))!;
        Assert.Equal(username, claims["sub"]!.GetValue<string>());
        Assert.Equal(["emp.list"], claims["permissions"]!.AsArray().Select(p => p!.GetValue<string>()));
    }

    [Fact]
    public async Task CreateUser_TakenUsername_Returns409()
    {
        var username = Api.Unique("twice");
        await _client.CreateUserAsync(fixture.AdminToken, username, "first-password-1", "emp.list");

        using var response = await _client.SendAsync(HttpMethod.Post, "/api/v1/users", fixture.AdminToken,
            new { username, password = "second-password-1", permissions = Array.Empty<string>() });
        await response.ReadProblemAsync(HttpStatusCode.Conflict);

        // The first user's password still works: the conflict changed nothing.
        await _client.GetTokenAsync(username, "first-password-1");
    }

    [Fact]
    public async Task CreateUser_Admin_Returns409()
    {
        using var response = await _client.SendAsync(HttpMethod.Post, "/api/v1/users", fixture.AdminToken,
            new { username = "admin", password = "take-over-attempt", permissions = new[] { "users.manage" } });
        await response.ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task CreateUser_ManageOnlyCallerGrantsEveryPermission_Returns403AndTheUserDoesNotExist()
    {
        var manager = Api.Unique("manager");
        await _client.CreateUserAsync(fixture.AdminToken, manager, "manager-password-1", "users.manage");
        var managerToken = await _client.GetTokenAsync(manager, "manager-password-1");
        string[] every = ["emp.create", "emp.list", "emp.update", "emp.delete", "files.read", "files.write", "users.manage", "books.read", "books.write"];
        var escalated = Api.Unique("escalated");

        using var response = await _client.SendAsync(HttpMethod.Post, "/api/v1/users", managerToken,
            new { username = escalated, password = "escalated-password-1", permissions = every });
        var problem = await response.ReadProblemAsync(HttpStatusCode.Forbidden, "PermissionNotHeld");

        Assert.Equal(every.Where(p => p != "users.manage"), problem["notHeld"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Contains("emp.list", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        using var signIn = await _client.PostAsync("/api/v1/tokens", JsonBody(System.Text.Json.JsonSerializer.Serialize(new { username = escalated, password = "escalated-password-1" })));
        await signIn.ReadProblemAsync(HttpStatusCode.Unauthorized);
        await _client.CreateUserAsync(fixture.AdminToken, escalated, "escalated-password-1", "emp.list"); // 201, not 409: nothing was stored
    }

    [Fact]
    public async Task CreateUser_CallerGrantsPermissionsItHolds_Returns201()
    {
        var manager = Api.Unique("manager");
        await _client.CreateUserAsync(fixture.AdminToken, manager, "manager-password-1", "users.manage", "emp.list", "emp.create");
        var managerToken = await _client.GetTokenAsync(manager, "manager-password-1");

        await _client.CreateUserAsync(managerToken, Api.Unique("clerk"), "clerk-password-1", "emp.list");
        await _client.CreateUserAsync(managerToken, Api.Unique("deputy"), "deputy-password-1", "users.manage", "emp.list", "emp.create");

        using var response = await _client.SendAsync(HttpMethod.Post, "/api/v1/users", managerToken,
            new { username = Api.Unique("deputy"), password = "deputy-password-1", permissions = new[] { "users.manage", "emp.delete" } });
        var problem = await response.ReadProblemAsync(HttpStatusCode.Forbidden, "PermissionNotHeld");
        Assert.Equal(["emp.delete"], problem["notHeld"]!.AsArray().Select(p => p!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"password":"long-enough-1","permissions":[]}""")]
    [InlineData("""{"username":"","password":"long-enough-1","permissions":[]}""")]
    [InlineData("""{"username":"someone","permissions":[]}""")]
    [InlineData("""{"username":"someone","password":"","permissions":[]}""")]
    [InlineData("""{"username":"someone","password":"long-enough-1","permissions":["no.such.permission"]}""")]
    [InlineData("{")]
    public async Task CreateUser_InvalidBody_Returns400(string json)
    {
        using var request = Api.Request(HttpMethod.Post, "/api/v1/users", fixture.AdminToken);
        request.Content = JsonBody(json);
        using var response = await _client.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Passwords_AreNeverStoredOrLoggedInClear()
    {
        const string password = "Sup3r-Distinctive-Passw0rd";
        var username = Api.Unique("secret");
        await _client.CreateUserAsync(fixture.AdminToken, username, password, "emp.list");
        await _client.GetTokenAsync(username, password);
        using (await _client.PostAsync("/api/v1/tokens", JsonBody($$"""{"username":"{{username}}","password":"{{password}}x"}""")))
        {
        }

        var needle = Encoding.UTF8.GetBytes(password);
        foreach (var file in Directory.EnumerateFiles(fixture.Data.Path, "*", SearchOption.AllDirectories))
        {
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                bytes = copy.ToArray();
            }

            Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"the password is stored in clear in {file}");
        }

        Assert.DoesNotContain(password, fixture.Employees.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Api.DevAdminPassword, fixture.Employees.Output, StringComparison.Ordinal);
    }

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Base64UrlDecode(string segment) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(segment.Replace('-', '+').Replace('_', '/').PadRight(segment.Length + ((4 - (segment.Length % 4)) % 4), '=')));
}

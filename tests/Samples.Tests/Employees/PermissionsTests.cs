namespace Samples.Tests.Employees;

/// <summary>The permission column: a user created through <c>POST /api/v1/users</c> gets 403 wherever it lacks one.</summary>
[Collection(EmployeesServiceGroup.Name)]
public sealed class PermissionsTests(EmployeesFixture fixture) : IAsyncLifetime
{
    private readonly HttpClient _client = fixture.Client;
    private string _readerToken = null!;
    private string _noneToken = null!;
    private string _employeeId = null!;

    public async Task InitializeAsync()
    {
        var setup = await fixture.SharedAsync(nameof(PermissionsTests), async () =>
        {
            var reader = Api.Unique("reader");
            await _client.CreateUserAsync(fixture.AdminToken, reader, "reader-password-1", "emp.list", "files.read");
            var none = Api.Unique("none");
            await _client.CreateUserAsync(fixture.AdminToken, none, "none-password-1");
            var employeeId = Api.IdOf(await _client.CreateEmployeeAsync(fixture.AdminToken));
            using var picture = Api.Request(HttpMethod.Put, $"/api/v1/employees/{employeeId}/picture", fixture.AdminToken);
            picture.Content = Api.Multipart(Api.Png(100), "image/png", "p.png");
            using var response = await _client.SendAsync(picture);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return new[] { await _client.GetTokenAsync(reader, "reader-password-1"), await _client.GetTokenAsync(none, "none-password-1"), employeeId };
        });
        (_readerToken, _noneToken, _employeeId) = (setup[0], setup[1], setup[2]);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public static TheoryData<string, string, string> Forbidden => new()
    {
        // method, path, the permission the reader (emp.list + files.read) lacks
        { "POST", "/api/v1/users", "users.manage" },
        { "POST", "/api/v1/employees", "emp.create" },
        { "POST", "/api/v2/employees", "emp.create" },
        { "PUT", "/api/v1/employees/{id}", "emp.update" },
        { "PUT", "/api/v2/employees/{id}", "emp.update" },
        { "DELETE", "/api/v1/employees/{id}", "emp.delete" },
        { "DELETE", "/api/v2/employees/{id}", "emp.delete" },
        { "PUT", "/api/v1/employees/{id}/picture", "emp.update" },
        { "DELETE", "/api/v1/employees/{id}/picture", "emp.update" },
        { "POST", "/api/v1/files", "files.write" },
        { "DELETE", "/api/v1/files/some-file", "files.write" },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public async Task MissingPermission_Returns403_AndChangesNothing(string method, string path, string permission)
    {
        using var request = Api.Request(new HttpMethod(method), path.Replace("{id}", _employeeId, StringComparison.Ordinal), _readerToken);
        request.Content = path.EndsWith("/picture", StringComparison.Ordinal) || path.EndsWith("/files", StringComparison.Ordinal)
            ? Api.Multipart(Api.Png(100), "image/png", "p.png", fileId: Api.Unique("forbidden"))
            : System.Net.Http.Json.JsonContent.Create(new { name = "Changed", address = "Changed", username = Api.Unique("x"), password = "whatever-1", permissions = Array.Empty<string>() });
        using var response = await _client.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.Forbidden);
        _ = permission;

        using var employee = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{_employeeId}", fixture.AdminToken);
        var body = await employee.ReadJsonAsync(HttpStatusCode.OK);
        Assert.NotEqual("Changed", body["name"]!.GetValue<string>());
        Assert.NotNull(body["pictureId"]);
    }

    [Theory]
    [InlineData("/api/v1/employees")]
    [InlineData("/api/v1/employees/{id}")]
    [InlineData("/api/v2/employees/{id}")]
    [InlineData("/api/v1/employees/{id}/picture")]
    public async Task ReaderWithEmpList_CanRead(string path)
    {
        using var response = await _client.SendAsync(HttpMethod.Get, path.Replace("{id}", _employeeId, StringComparison.Ordinal), _readerToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/employees")]
    [InlineData("/api/v1/employees/{id}")]
    [InlineData("/api/v1/employees/{id}/picture")]
    [InlineData("/api/v1/files/some-file")]
    public async Task UserWithoutPermissions_Returns403OnReads(string path)
    {
        using var response = await _client.SendAsync(HttpMethod.Get, path.Replace("{id}", _employeeId, StringComparison.Ordinal), _noneToken);
        await response.ReadProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task FilesRead_AllowsDownloads_ButNotUploads()
    {
        var fileId = Api.Unique("shared");
        using (var upload = Api.Request(HttpMethod.Post, "/api/v1/files", fixture.AdminToken))
        {
            upload.Content = Api.Multipart(Api.Binary(50), "application/octet-stream", "s.bin", fileId);
            using var created = await _client.SendAsync(upload);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/files/{fileId}", _readerToken);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/health/live")]
    [InlineData("GET", "/health/ready")]
    [InlineData("GET", "/.well-known/jwks.json")]
    [InlineData("GET", "/openapi/v1.json")]
    [InlineData("GET", "/openapi/v2.json")]
    public async Task PublicEndpoints_NeedNoToken(string method, string path)
    {
        using var response = await _client.SendAsync(new HttpMethod(method), path, token: null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

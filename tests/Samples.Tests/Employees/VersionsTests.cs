namespace Samples.Tests.Employees;

/// <summary>
/// The "Versions" rules on the employees routes: the four readers, the default, the reporting headers, v1's
/// deprecation, v2's shape, and the three version errors.
/// </summary>
[Collection(EmployeesServiceGroup.Name)]
public sealed class VersionsTests(EmployeesFixture fixture)
{
    private readonly HttpClient _client = fixture.Client;
    private readonly string _token = fixture.AdminToken;

    public enum Reader
    {
        UrlSegment,
        Header,
        Query,
        MediaType,
    }

    [Theory]
    [InlineData(Reader.UrlSegment)]
    [InlineData(Reader.Header)]
    [InlineData(Reader.Query)]
    [InlineData(Reader.MediaType)]
    public async Task Get_Version2_ByEachReader_ReturnsTheV2Shape(Reader reader)
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token, "Barbara Liskov"));

        using var request = VersionedRequest(HttpMethod.Get, $"employees/{id}", reader, "2.0");
        using var response = await _client.SendAsync(request);
        var employee = await response.ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(["address", "department", "email", "id", "name", "pictureUrl"], employee.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("Barbara Liskov", employee["name"]!.GetValue<string>());
        AssertReportingHeaders(response);
        Assert.Null(response.Header("Deprecation"));
    }

    [Theory]
    [InlineData(Reader.UrlSegment)]
    [InlineData(Reader.Header)]
    [InlineData(Reader.Query)]
    [InlineData(Reader.MediaType)]
    public async Task Get_Version1_ByEachReader_ReturnsTheV1Shape_MarkedDeprecated(Reader reader)
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token, "Frances Allen"));

        using var request = VersionedRequest(HttpMethod.Get, $"employees/{id}", reader, "1.0");
        using var response = await _client.SendAsync(request);
        var employee = await response.ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(["address", "id", "name", "pictureId"], employee.Select(p => p.Key).Order(StringComparer.Ordinal));
        AssertReportingHeaders(response);
        AssertDeprecated(response);
    }

    [Fact]
    public async Task Unversioned_WithoutAVersion_DefaultsTo1()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token, "Katherine Johnson"));

        using var response = await _client.SendAsync(HttpMethod.Get, $"/api/employees/{id}", _token);
        var employee = await response.ReadJsonAsync(HttpStatusCode.OK);

        Assert.True(employee.ContainsKey("pictureId"));
        Assert.False(employee.ContainsKey("email"));
        AssertReportingHeaders(response);
        AssertDeprecated(response);
    }

    [Fact]
    public async Task V2_CreateUpdateListDelete_CarryEmailAndDepartment()
    {
        using var create = await _client.SendAsync(HttpMethod.Post, "/api/v2/employees", _token,
            new { name = "Margaret Hamilton", address = "Cambridge, MA", email = "margaret@example.org", department = "Apollo" });
        var created = await create.ReadJsonAsync(HttpStatusCode.Created);
        var id = Api.IdOf(created);
        Assert.Equal("margaret@example.org", created["email"]!.GetValue<string>());
        Assert.Equal("Apollo", created["department"]!.GetValue<string>());
        Assert.Null(created["pictureUrl"]);
        Assert.NotNull(create.Headers.ETag);
        Assert.EndsWith($"/api/v2/employees/{id}", create.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Null(create.Header("Deprecation"));
        AssertReportingHeaders(create);

        // email and department are optional on update: leaving them out clears them.
        using var update = await _client.SendAsync(HttpMethod.Put, $"/api/v2/employees/{id}", _token, new { name = "M. Hamilton", address = "Boston, MA" });
        var updated = await update.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("M. Hamilton", updated["name"]!.GetValue<string>());
        Assert.NotEqual(create.Headers.ETag, update.Headers.ETag);

        // The same employee through v1 shows the v1 shape of the same data.
        using var v1 = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}", _token);
        Assert.Equal("M. Hamilton", (await v1.ReadJsonAsync(HttpStatusCode.OK))["name"]!.GetValue<string>());

        using var list = await _client.SendAsync(HttpMethod.Get, "/api/v2/employees?page=1&pageSize=100", _token);
        var page = await list.ReadJsonAsync(HttpStatusCode.OK);
        Assert.All(page["items"]!.AsArray(), item => Assert.True(item!.AsObject().ContainsKey("pictureUrl")));

        using var delete = await _client.SendAsync(HttpMethod.Delete, $"/api/v2/employees/{id}", _token);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await _client.SendAsync(HttpMethod.Get, $"/api/v2/employees/{id}", _token);
        await gone.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task V2_CreateWithEmailAndDepartmentOmitted_Returns201()
    {
        using var create = await _client.SendAsync(HttpMethod.Post, "/api/v2/employees", _token, new { name = "Radia Perlman", address = "Seattle" });
        var created = await create.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Null(created["email"]);
        Assert.Null(created["department"]);
    }

    [Theory]
    [InlineData(Reader.UrlSegment)]
    [InlineData(Reader.Header)]
    [InlineData(Reader.Query)]
    [InlineData(Reader.MediaType)]
    public async Task UnsupportedVersion_ByEachReader_Returns400ListingSupportedVersions(Reader reader)
    {
        using var request = VersionedRequest(HttpMethod.Get, "employees/1", reader, "3.0");
        using var response = await _client.SendAsync(request);
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "UnsupportedApiVersion");

        var supported = problem["supportedVersions"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray();
        Assert.Contains("1.0", supported);
        Assert.Contains("2.0", supported);
        Assert.Contains("2.0", response.Header("api-supported-versions"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Reader.Header, "abc")]
    [InlineData(Reader.Query, "2.0.0.0")]
    [InlineData(Reader.MediaType, "x")]
    public async Task MalformedVersion_Returns400InvalidApiVersion(Reader reader, string version)
    {
        using var request = VersionedRequest(HttpMethod.Get, "employees/1", reader, version);
        using var response = await _client.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "InvalidApiVersion");
    }

    [Theory]
    [InlineData("/api/employees/1?api-version=2.0", "1.0")]
    [InlineData("/api/v2/employees/1", "1.0")]
    [InlineData("/api/v1/employees/1?api-version=2.0", null)]
    public async Task TwoDifferentVersions_Returns400AmbiguousApiVersion(string path, string? header)
    {
        using var request = Api.Request(HttpMethod.Get, path, _token);
        if (header is not null)
        {
            request.Headers.Add("api-version", header);
        }

        using var response = await _client.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "AmbiguousApiVersion");
    }

    [Fact]
    public async Task TheSameVersionTwice_IsNotAmbiguous()
    {
        var id = Api.IdOf(await _client.CreateEmployeeAsync(_token));
        using var request = Api.Request(HttpMethod.Get, $"/api/v2/employees/{id}?api-version=2.0", _token);
        request.Headers.Add("api-version", "2.0");
        using var response = await _client.SendAsync(request);
        await response.ReadJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task VersionErrors_NeedNoToken()
    {
        // Versioning runs before authentication: a client learns the supported versions without credentials.
        using var response = await _client.SendAsync(HttpMethod.Get, "/api/v9/employees/1", token: null);
        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "UnsupportedApiVersion");
    }

    [Theory]
    [InlineData("/openapi/v1.json", "/api/v1/employees")]
    [InlineData("/openapi/v2.json", "/api/v2/employees")]
    public async Task OpenApi_OneDocumentPerVersion(string path, string expectedPath)
    {
        using var response = await _client.GetAsync(path);
        var document = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.NotNull(document["openapi"]);
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToArray();
        Assert.Contains(paths, p => p.StartsWith(expectedPath, StringComparison.Ordinal));
        var other = expectedPath.Contains("/v1/", StringComparison.Ordinal) ? "/api/v2/" : "/api/v1/employees";
        Assert.DoesNotContain(paths, p => p.StartsWith(other, StringComparison.Ordinal));
    }

    private HttpRequestMessage VersionedRequest(HttpMethod method, string resource, Reader reader, string version)
    {
        var request = reader switch
        {
            Reader.UrlSegment => Api.Request(method, $"/api/v{version.Split('.')[0]}/{resource}", _token),
            Reader.Query => Api.Request(method, $"/api/{resource}?api-version={Uri.EscapeDataString(version)}", _token),
            _ => Api.Request(method, $"/api/{resource}", _token),
        };
        if (reader == Reader.Header)
        {
            request.Headers.TryAddWithoutValidation("api-version", version);
        }
        else if (reader == Reader.MediaType)
        {
            request.Headers.TryAddWithoutValidation("Accept", $"application/json; v={version}");
        }

        return request;
    }

    private static void AssertReportingHeaders(HttpResponseMessage response)
    {
        Assert.Equal("1.0, 2.0", response.Header("api-supported-versions"));
        Assert.Equal("1.0", response.Header("api-deprecated-versions"));
    }

    private static void AssertDeprecated(HttpResponseMessage response)
    {
        // RFC 9745: Deprecation is a structured-field date "@<unix-seconds>"; RFC 8594: Sunset is an HTTP-date.
        var deprecation = response.Header("Deprecation");
        Assert.NotNull(deprecation);
        Assert.Matches(@"^@\d+$", deprecation);
        var sunset = response.Header("Sunset");
        Assert.NotNull(sunset);
        Assert.True(DateTimeOffset.TryParseExact(sunset, "r", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _), sunset);
    }
}

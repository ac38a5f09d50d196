namespace Samples.Tests.Employees;

/// <summary>Rows: the five <c>/api/v1/employees</c> operations, their bodies, ETags and error statuses.</summary>
[Collection(EmployeesServiceGroup.Name)]
public sealed class EmployeesV1Tests(EmployeesFixture fixture)
{
    private readonly HttpClient _client = fixture.Client;
    private readonly string _token = fixture.AdminToken;

    [Fact]
    public async Task Create_Returns201_WithLocationETagAndTheEmployee()
    {
        using var response = await _client.SendAsync(HttpMethod.Post, "/api/v1/employees", _token, new { name = "Grace Hopper", address = "Arlington, VA" });
        var employee = await response.ReadJsonAsync(HttpStatusCode.Created);

        Assert.Equal(["address", "id", "name", "pictureId"], employee.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("Grace Hopper", employee["name"]!.GetValue<string>());
        Assert.Equal("Arlington, VA", employee["address"]!.GetValue<string>());
        Assert.Null(employee["pictureId"]);
        Assert.NotNull(response.Headers.ETag);
        Assert.NotNull(response.Headers.Location);
        Assert.EndsWith($"/api/v1/employees/{Api.IdOf(employee)}", response.Headers.Location!.ToString(), StringComparison.Ordinal);

        using var get = await _client.SendAsync(HttpMethod.Get, response.Headers.Location.ToString(), _token);
        var fetched = await get.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(employee.ToJsonString(), fetched.ToJsonString());
        Assert.Equal(response.Headers.ETag, get.Headers.ETag);
    }

    [Fact]
    public async Task Create_AtTheLengthLimits_Returns201()
    {
        using var response = await _client.SendAsync(HttpMethod.Post, "/api/v1/employees", _token, new { name = new string('n', 255), address = new string('a', 1023) });
        var employee = await response.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal(255, employee["name"]!.GetValue<string>().Length);
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"name":"","address":"somewhere"}""", "name" },
        { """{"name":"   ","address":"somewhere"}""", "name" },
        { $$"""{"name":"{{new string('n', 256)}}","address":"somewhere"}""", "name" },
        { """{"address":"somewhere"}""", "name" },
        { """{"name":"Ada","address":""}""", "address" },
        { $$"""{"name":"Ada","address":"{{new string('a', 1024)}}"}""", "address" },
        { """{"name":"Ada"}""", "address" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Create_Invalid_Returns400NamingTheField(string json, string field)
    {
        using var request = Api.Request(HttpMethod.Post, "/api/v1/employees", _token);
        request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await _client.SendAsync(request);
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Create_MalformedJson_Returns400()
    {
        using var request = Api.Request(HttpMethod.Post, "/api/v1/employees", _token);
        request.Content = new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json");
        using var response = await _client.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Get_Missing_Returns404()
    {
        using var response = await _client.SendAsync(HttpMethod.Get, "/api/v1/employees/987654321", _token);
        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_ReturnsAPage_WithTotal()
    {
        for (var i = 0; i < 3; i++)
        {
            await _client.CreateEmployeeAsync(_token, $"Paged {i}");
        }

        using var response = await _client.SendAsync(HttpMethod.Get, "/api/v1/employees?page=1&pageSize=2", _token);
        var page = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, page["page"]!.GetValue<int>());
        Assert.Equal(2, page["pageSize"]!.GetValue<int>());
        Assert.True(page["total"]!.GetValue<int>() >= 3);
        var items = page["items"]!.AsArray();
        Assert.Equal(2, items.Count);
        Assert.All(items, item => Assert.NotNull(item!["id"]));

        using var second = await _client.SendAsync(HttpMethod.Get, "/api/v1/employees?page=2&pageSize=2", _token);
        var next = await second.ReadJsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(next["items"]!.AsArray(), item => items.Any(i => Api.IdOf(i!) == Api.IdOf(item!)));
    }

    [Fact]
    public async Task List_WithoutPaging_UsesDefaults()
    {
        using var response = await _client.SendAsync(HttpMethod.Get, "/api/v1/employees", _token);
        var page = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, page["page"]!.GetValue<int>());
        Assert.Equal(20, page["pageSize"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("page=1&pageSize=0")]
    [InlineData("page=1&pageSize=101")]
    [InlineData("page=0&pageSize=20")]
    [InlineData("page=1&pageSize=abc")]
    public async Task List_BadPaging_Returns400(string query)
    {
        using var response = await _client.SendAsync(HttpMethod.Get, "/api/v1/employees?" + query, _token);
        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task List_PageSize100_IsAllowed()
    {
        using var response = await _client.SendAsync(HttpMethod.Get, "/api/v1/employees?page=1&pageSize=100", _token);
        await response.ReadJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Update_Returns200_WithTheEmployeeAndANewETag()
    {
        var (id, etag) = await CreateAsync();

        using var response = await _client.SendAsync(HttpMethod.Put, $"/api/v1/employees/{id}", _token, new { name = "Renamed", address = "Moved" });
        var employee = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Renamed", employee["name"]!.GetValue<string>());
        Assert.Equal("Moved", employee["address"]!.GetValue<string>());
        Assert.NotNull(response.Headers.ETag);
        Assert.NotEqual(etag, response.Headers.ETag!.Tag);

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}", _token);
        Assert.Equal("Renamed", (await get.ReadJsonAsync(HttpStatusCode.OK))["name"]!.GetValue<string>());
        Assert.Equal(response.Headers.ETag, get.Headers.ETag);
    }

    [Fact]
    public async Task Update_WithCurrentIfMatch_Returns200_AndStaleIfMatch_Returns412()
    {
        var (id, etag) = await CreateAsync();

        using var first = Api.Request(HttpMethod.Put, $"/api/v1/employees/{id}", _token, new { name = "First", address = "A" });
        first.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using var firstResponse = await _client.SendAsync(first);
        await firstResponse.ReadJsonAsync(HttpStatusCode.OK);

        // A second writer still holding the original ETag must not overwrite the first one's change.
        using var stale = Api.Request(HttpMethod.Put, $"/api/v1/employees/{id}", _token, new { name = "Second", address = "B" });
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using var staleResponse = await _client.SendAsync(stale);
        await staleResponse.ReadProblemAsync(HttpStatusCode.PreconditionFailed);

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}", _token);
        Assert.Equal("First", (await get.ReadJsonAsync(HttpStatusCode.OK))["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_Missing_Returns404()
    {
        using var response = await _client.SendAsync(HttpMethod.Put, "/api/v1/employees/987654321", _token, new { name = "Nobody", address = "Nowhere" });
        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Update_Invalid_Returns400_AndChangesNothing()
    {
        var (id, etag) = await CreateAsync();
        using var response = await _client.SendAsync(HttpMethod.Put, $"/api/v1/employees/{id}", _token, new { name = "", address = "Moved" });
        await response.ReadProblemAsync(HttpStatusCode.BadRequest);

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}", _token);
        await get.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(etag, get.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Delete_Returns204_ThenTheEmployeeIsGone()
    {
        var (id, _) = await CreateAsync();

        using var response = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/employees/{id}", _token);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        using var get = await _client.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}", _token);
        await get.ReadProblemAsync(HttpStatusCode.NotFound);
        using var again = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/employees/{id}", _token);
        await again.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task NonNumericId_Returns404OrBadRequest_NeverA500()
    {
        using var response = await _client.SendAsync(HttpMethod.Get, "/api/v1/employees/not-an-id", _token);
        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"got {(int)response.StatusCode}");
        Assert.Equal(Api.ProblemJson, response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<(string Id, string ETag)> CreateAsync()
    {
        using var response = await _client.SendAsync(HttpMethod.Post, "/api/v1/employees", _token, new { name = "Edsger Dijkstra", address = "Austin, TX" });
        var employee = await response.ReadJsonAsync(HttpStatusCode.Created);
        return (Api.IdOf(employee), response.Headers.ETag!.Tag);
    }
}

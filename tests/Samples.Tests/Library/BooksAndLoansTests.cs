namespace Samples.Tests.Library;

/// <summary>
/// Rows of the Library table: books (create, get, list, delete), loans (lend, return) with every listed error
/// except 503, tokens validated through Employees' JWKS, permissions, health.
/// </summary>
[Collection(LibraryServiceGroup.Name)]
public sealed class BooksAndLoansTests(LibraryFixture fixture)
{
    private readonly HttpClient _library = fixture.LibraryClient;
    private readonly string _token = fixture.AdminToken;

    [Fact]
    public async Task Book_Create_Returns201_ThenGetListAndDelete()
    {
        using var create = await _library.SendAsync(HttpMethod.Post, "/api/v1/books", _token,
            new { title = "The Art of Computer Programming", author = "Donald Knuth", isbn = "978-0201896831" });
        var book = await create.ReadJsonAsync(HttpStatusCode.Created);
        var id = Api.IdOf(book);
        Assert.Equal("Donald Knuth", book["author"]!.GetValue<string>());
        Assert.EndsWith($"/api/v1/books/{id}", create.Headers.Location!.ToString(), StringComparison.Ordinal);

        using var get = await _library.SendAsync(HttpMethod.Get, $"/api/v1/books/{id}", _token);
        var fetched = await get.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("The Art of Computer Programming", fetched["title"]!.GetValue<string>());
        Assert.Equal("978-0201896831", fetched["isbn"]!.GetValue<string>());

        using var list = await _library.SendAsync(HttpMethod.Get, "/api/v1/books?page=1&pageSize=100", _token);
        var page = await list.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Contains(page["items"]!.AsArray(), b => Api.IdOf(b!) == id);
        Assert.True(page["total"]!.GetValue<int>() >= 1);

        using var delete = await _library.SendAsync(HttpMethod.Delete, $"/api/v1/books/{id}", _token);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await _library.SendAsync(HttpMethod.Get, $"/api/v1/books/{id}", _token);
        await gone.ReadProblemAsync(HttpStatusCode.NotFound);
        using var again = await _library.SendAsync(HttpMethod.Delete, $"/api/v1/books/{id}", _token);
        await again.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"author":"A","isbn":"1"}""")]
    [InlineData("""{"title":"","author":"A","isbn":"1"}""")]
    [InlineData("""{"title":"T","isbn":"1"}""")]
    [InlineData("""{"title":"T","author":"A"}""")]
    [InlineData("{")]
    public async Task Book_Invalid_Returns400(string json)
    {
        using var request = Api.Request(HttpMethod.Post, "/api/v1/books", _token);
        request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await _library.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("page=1&pageSize=0")]
    [InlineData("page=1&pageSize=101")]
    public async Task Books_BadPaging_Returns400(string query)
    {
        using var response = await _library.SendAsync(HttpMethod.Get, "/api/v1/books?" + query, _token);
        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Book_Missing_Returns404()
    {
        using var response = await _library.SendAsync(HttpMethod.Get, "/api/v1/books/987654321", _token);
        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Loan_Returns201_WithTheEmployeesName_ThenReturnIt()
    {
        var employee = await fixture.Client.CreateEmployeeAsync(_token, "Ada Lovelace");
        var bookId = await CreateBookAsync();

        using var lend = await _library.SendAsync(HttpMethod.Post, $"/api/v1/books/{bookId}/loans", _token, new { employeeId = employee["id"] });
        var loan = await lend.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal(["bookId", "employeeId", "employeeName", "loanedAt"], loan.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(bookId, Api.IdOf(loan, "bookId"));
        Assert.Equal(Api.IdOf(employee), Api.IdOf(loan, "employeeId"));
        Assert.Equal("Ada Lovelace", loan["employeeName"]!.GetValue<string>());
        var loanedAt = DateTimeOffset.Parse(loan["loanedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(loanedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));

        using var twice = await _library.SendAsync(HttpMethod.Post, $"/api/v1/books/{bookId}/loans", _token, new { employeeId = employee["id"] });
        await twice.ReadProblemAsync(HttpStatusCode.Conflict);

        using var giveBack = await _library.SendAsync(HttpMethod.Delete, $"/api/v1/books/{bookId}/loans", _token);
        Assert.Equal(HttpStatusCode.NoContent, giveBack.StatusCode);
        using var giveBackAgain = await _library.SendAsync(HttpMethod.Delete, $"/api/v1/books/{bookId}/loans", _token);
        await giveBackAgain.ReadProblemAsync(HttpStatusCode.NotFound);

        // Returned, it can be lent again.
        using var relend = await _library.SendAsync(HttpMethod.Post, $"/api/v1/books/{bookId}/loans", _token, new { employeeId = employee["id"] });
        await relend.ReadJsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Loan_OfMissingBook_Returns404()
    {
        var employee = await fixture.Client.CreateEmployeeAsync(_token);
        using var lend = await _library.SendAsync(HttpMethod.Post, "/api/v1/books/987654321/loans", _token, new { employeeId = employee["id"] });
        await lend.ReadProblemAsync(HttpStatusCode.NotFound);
        using var giveBack = await _library.SendAsync(HttpMethod.Delete, "/api/v1/books/987654321/loans", _token);
        await giveBack.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Loan_ToUnknownEmployee_Returns422EmployeeNotFound()
    {
        var bookId = await CreateBookAsync();
        using var lend = await _library.SendAsync(HttpMethod.Post, $"/api/v1/books/{bookId}/loans", _token, new { employeeId = 987654321 });
        await lend.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "EmployeeNotFound");

        // Nothing was lent.
        using var giveBack = await _library.SendAsync(HttpMethod.Delete, $"/api/v1/books/{bookId}/loans", _token);
        await giveBack.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{")]
    public async Task Loan_MalformedBody_Returns400(string json)
    {
        var bookId = await CreateBookAsync();
        using var request = Api.Request(HttpMethod.Post, $"/api/v1/books/{bookId}/loans", _token);
        request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await _library.SendAsync(request);
        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Loan_WithTokenInXAuthHeader_PropagatesItToEmployees()
    {
        var employee = await fixture.Client.CreateEmployeeAsync(_token, "Hedy Lamarr");
        var bookId = await CreateBookAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/books/{bookId}/loans")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { employeeId = employee["id"] }),
        };
        request.Headers.Add("X-Auth-Header", _token);
        using var response = await _library.SendAsync(request);
        Assert.Equal("Hedy Lamarr", (await response.ReadJsonAsync(HttpStatusCode.Created))["employeeName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Library_AcceptsEmployeesTokens_AndRejectsForgedOnes()
    {
        using var ok = await _library.SendAsync(HttpMethod.Get, "/api/v1/books", _token);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        using var none = await _library.SendAsync(HttpMethod.Get, "/api/v1/books", token: null);
        await none.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.ToString()); // RFC 6750 §3.1: no credentials, no error code

        var parts = _token.Split('.');
        var claims = JsonNode.Parse(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[1]))))!;
        claims["permissions"] = new JsonArray("books.read", "books.write", "users.manage", "made.up");
        var forgedPayload = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(claims.ToJsonString()))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.NotEqual(parts[1], forgedPayload);
        using var forged = await _library.SendAsync(HttpMethod.Get, "/api/v1/books", $"{parts[0]}.{forgedPayload}.{parts[2]}");
        await forged.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("error=\"invalid_token\"", forged.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingPermissions_Return403()
    {
        var username = Api.Unique("patron");
        await fixture.Client.CreateUserAsync(_token, username, "patron-password-1", "books.read", "emp.list");
        var patron = await fixture.Client.GetTokenAsync(username, "patron-password-1");
        var bookId = await CreateBookAsync();
        var employee = await fixture.Client.CreateEmployeeAsync(_token);

        using (var read = await _library.SendAsync(HttpMethod.Get, $"/api/v1/books/{bookId}", patron))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using (var create = await _library.SendAsync(HttpMethod.Post, "/api/v1/books", patron, new { title = "T", author = "A", isbn = "1" }))
        {
            await create.ReadProblemAsync(HttpStatusCode.Forbidden);
        }

        using (var delete = await _library.SendAsync(HttpMethod.Delete, $"/api/v1/books/{bookId}", patron))
        {
            await delete.ReadProblemAsync(HttpStatusCode.Forbidden);
        }

        using (var lend = await _library.SendAsync(HttpMethod.Post, $"/api/v1/books/{bookId}/loans", patron, new { employeeId = employee["id"] }))
        {
            await lend.ReadProblemAsync(HttpStatusCode.Forbidden);
        }

        using (var giveBack = await _library.SendAsync(HttpMethod.Delete, $"/api/v1/books/{bookId}/loans", patron))
        {
            await giveBack.ReadProblemAsync(HttpStatusCode.Forbidden);
        }

        var nobody = Api.Unique("nobody");
        await fixture.Client.CreateUserAsync(_token, nobody, "nobody-password-1");
        using var list = await _library.SendAsync(HttpMethod.Get, "/api/v1/books", await fixture.Client.GetTokenAsync(nobody, "nobody-password-1"));
        await list.ReadProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Loan_ByAUserEmployeesRefuses_Returns403_NotAnOutage()
    {
        // books.write lets the caller into Library, but the caller's own token goes on to Employees, which wants emp.list.
        var username = Api.Unique("lender");
        await fixture.Client.CreateUserAsync(_token, username, "lender-password-1", "books.write");
        var lender = await fixture.Client.GetTokenAsync(username, "lender-password-1");
        var employee = await fixture.Client.CreateEmployeeAsync(_token);
        var bookId = await CreateBookAsync();

        using var lend = await _library.SendAsync(HttpMethod.Post, $"/api/v1/books/{bookId}/loans", lender, new { employeeId = employee["id"] });
        var problem = await lend.ReadProblemAsync(HttpStatusCode.Forbidden, "Forbidden");
        Assert.Equal("employees", problem["service"]!.GetValue<string>());
        Assert.Equal("CallerNotAuthorized", problem["reason"]!.GetValue<string>());

        using var giveBack = await _library.SendAsync(HttpMethod.Delete, $"/api/v1/books/{bookId}/loans", _token);
        await giveBack.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_Returns200WithoutAToken(string path)
    {
        using var response = await _library.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string> CreateBookAsync()
    {
        using var create = await _library.SendAsync(HttpMethod.Post, "/api/v1/books", _token, new { title = "Structure and Interpretation of Computer Programs", author = "Abelson, Sussman", isbn = "978-0262510875" });
        return Api.IdOf(await create.ReadJsonAsync(HttpStatusCode.Created));
    }

    private static string Pad(string segment) =>
        segment.Replace('-', '+').Replace('_', '/').PadRight(segment.Length + ((4 - (segment.Length % 4)) % 4), '=');
}

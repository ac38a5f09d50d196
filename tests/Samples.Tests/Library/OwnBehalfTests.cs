using System.Text;

namespace Samples.Tests.Library;

/// <summary>
/// Library calling Employees on its own behalf with a client-credentials token from Employees' token endpoint (issue 22):
/// real processes, the sample settings of appsettings.Development.json on both sides.
/// </summary>
[Collection(LibraryServiceGroup.Name)]
public sealed class OwnBehalfTests(LibraryFixture fixture)
{
    private readonly HttpClient _library = fixture.LibraryClient;
    private readonly string _token = fixture.AdminToken;

    [Fact]
    public async Task Borrower_ReaderWithoutEmployeesPermission_GetsTheNameThroughLibrarysOwnToken()
    {
        var employee = await fixture.Client.CreateEmployeeAsync(_token, "Grace Hopper");
        using var create = await _library.SendAsync(HttpMethod.Post, "/api/v1/books", _token, new { title = "Compilers", author = "Aho", isbn = "978-0321486813" });
        var bookId = Api.IdOf(await create.ReadJsonAsync(HttpStatusCode.Created));
        Assert.Equal("\"1\"", create.Headers.ETag?.Tag);                            // EntityResults.Created: 201 with ETag
        using var lend = await _library.SendAsync(HttpMethod.Post, $"/api/v1/books/{bookId}/loans", _token, new { employeeId = employee["id"] });
        await lend.ReadJsonAsync(HttpStatusCode.Created);
        var reader = Api.Unique("reader");
        await fixture.Client.CreateUserAsync(_token, reader, "reader-password-1", "books.read");
        var readerToken = await fixture.Client.GetTokenAsync(reader, "reader-password-1");

        // The reader's own token cannot read Employees...
        using var direct = await fixture.Client.SendAsync(HttpMethod.Get, $"/api/v2/employees/{Api.IdOf(employee)}", readerToken);
        await direct.ReadProblemAsync(HttpStatusCode.Forbidden);

        // ...yet Library answers, having asked Employees with its own token.
        using var borrower = await _library.SendAsync(HttpMethod.Get, $"/api/v1/books/{bookId}/loans/borrower", readerToken);
        var body = await borrower.ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("Grace Hopper", body["name"]!.GetValue<string>());
        Assert.Equal(Api.IdOf(employee), Api.IdOf(body, "employeeId"));
    }

    [Fact]
    public async Task TokenEndpoint_ClientCredentials_IssuesLibraryATokenWithOnlyItsPermissions()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tokens")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("library:library-dev-client-secret-7f3a9c2e51")));

        using var response = await fixture.Client.SendAsync(request);
        var body = await response.ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("emp.list", body["scope"]!.GetValue<string>());
        Assert.True(response.Headers.CacheControl?.NoStore);
        var claims = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(Pad(body["access_token"]!.GetValue<string>().Split('.')[1]))))!;
        Assert.Equal("library", claims["sub"]!.GetValue<string>());
        Assert.Equal("library", claims["client_id"]!.GetValue<string>());
        Assert.Equal("kit-samples", claims["aud"]!.GetValue<string>());
    }

    [Fact]
    public async Task TokenEndpoint_WrongClientSecret_Is401InvalidClient()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tokens")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_id", "library"), new("client_secret", "not-the-secret-0123456789")]),
        };

        using var response = await fixture.Client.SendAsync(request);
        var problem = await response.ReadProblemAsync(HttpStatusCode.Unauthorized, "InvalidClient");

        Assert.Equal("invalid_client", problem["error"]!.GetValue<string>());
    }

    private static string Pad(string segment) =>
        segment.Replace('-', '+').Replace('_', '/').PadRight(segment.Length + ((4 - (segment.Length % 4)) % 4), '=');
}

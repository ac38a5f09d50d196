using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Samples.Tests.Library;

/// <summary>
/// The Library sample's loan path against a stand-in Employees that publishes the real Employees' JWKS (so the
/// caller's real token is accepted) but answers the employee lookup badly (issue 14, item 10): a 20 MB answer, a
/// charset that cannot be decoded, invalid JSON, HTML, and <c>{"id":16,"name":null}</c>. Each loan is 502
/// <c>DependencyInvalidResponse</c>, never a 500, and no loan is stored; a well-formed answer still lends the book.
/// </summary>
public sealed class MisbehavingEmployeesTests(MisbehavingEmployeesTests.Fixture fixture) : IClassFixture<MisbehavingEmployeesTests.Fixture>
{
    public const int NullName = 16;
    public const int TwentyMegabytes = 17;
    public const int Utf7 = 18;
    public const int InvalidJson = 19;
    public const int Html = 20;
    public const int Good = 21;

    [Theory]
    [InlineData(NullName)]
    [InlineData(TwentyMegabytes)]
    [InlineData(Utf7)]
    [InlineData(InvalidJson)]
    [InlineData(Html)]
    public async Task Loan_EmployeesAnswersUnusably_Returns502DependencyInvalidResponse_AndStoresNoLoan(int employeeId)
    {
        var book = await fixture.CreateBookAsync();

        using var loan = await fixture.LibraryClient.SendAsync(HttpMethod.Post, $"/api/v1/books/{book}/loans", fixture.AdminToken, new { employeeId });
        var problem = await loan.ReadProblemAsync(HttpStatusCode.BadGateway, "DependencyInvalidResponse");
        Assert.Equal("employees", problem["service"]!.GetValue<string>());

        using var get = await fixture.LibraryClient.SendAsync(HttpMethod.Get, $"/api/v1/books/{book}", fixture.AdminToken);
        var stored = await get.ReadJsonAsync(HttpStatusCode.OK);
        Assert.True(stored["loan"] is null, $"a loan was stored: {stored}");

        // The circuit stayed closed and the book stayed free: a good answer lends it at once.
        using var good = await fixture.LibraryClient.SendAsync(HttpMethod.Post, $"/api/v1/books/{book}/loans", fixture.AdminToken, new { employeeId = Good });
        var lent = await good.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal("Ada Lovelace", lent["employeeName"]!.GetValue<string>());
    }

    /// <summary>The real Employees (tokens, JWKS), the stand-in in this process, and Library pointed at the stand-in.</summary>
    public sealed class Fixture : EmployeesFixture
    {
        private WebApplication? _standIn;

        public SampleProcess Library { get; private set; } = null!;

        public HttpClient LibraryClient { get; private set; } = null!;

        public TempDirectory LibraryData { get; } = new("library-data");

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var jwks = await Client.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative));
            _standIn = StandIn(jwks);
            await _standIn.StartAsync();
            var address = _standIn.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();

            var environment = LibraryFixture.LibraryEnvironment(LibraryData, Employees);
            environment["Library__EmployeesBaseAddress"] = address;
            Library = await SampleProcess.StartAsync(Sample.Library, environment);
            LibraryClient = Library.CreateClient();
        }

        public async Task<string> CreateBookAsync()
        {
            using var create = await LibraryClient.SendAsync(HttpMethod.Post, "/api/v1/books", AdminToken, new { title = "Notes", author = "Ada", isbn = "978-0" });
            return Api.IdOf(await create.ReadJsonAsync(HttpStatusCode.Created));
        }

        public override async Task DisposeAsync()
        {
            LibraryClient?.Dispose();
            if (Library is not null)
            {
                await Library.DisposeAsync();
            }

            if (_standIn is not null)
            {
                await _standIn.DisposeAsync();
            }

            LibraryData.Dispose();
            await base.DisposeAsync();
        }

        private static WebApplication StandIn(string jwks)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapGet("/.well-known/jwks.json", () => Results.Text(jwks, "application/json"));
            app.MapGet("/api/employees/{id:int}", async (int id, HttpContext http) =>
            {
                http.Response.ContentType = "application/json";
                switch (id)
                {
                    case TwentyMegabytes:
                        var chunk = Encoding.ASCII.GetBytes("{\"id\":17,\"name\":\"" + new string('x', 64 * 1024));
                        try
                        {
                            for (var written = 0; written < 20 * 1024 * 1024 && !http.RequestAborted.IsCancellationRequested; written += chunk.Length)
                            {
                                await http.Response.Body.WriteAsync(chunk, http.RequestAborted);
                                chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
                            }
                        }
                        catch (Exception exception) when (exception is OperationCanceledException or IOException)
                        {
                            // Library hung up at its limit.
                        }

                        return;
                    case Utf7:
                        http.Response.ContentType = "application/json; charset=utf-7";
                        await http.Response.WriteAsync("{\"id\":18,\"name\":\"Ada\"}");
                        return;
                    case InvalidJson:
                        await http.Response.WriteAsync("{\"id\":19,\"name\":");
                        return;
                    case Html:
                        http.Response.ContentType = "text/html";
                        await http.Response.WriteAsync("<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>");
                        return;
                    case NullName:
                        await http.Response.WriteAsync("{\"id\":16,\"name\":null}");
                        return;
                    default:
                        await http.Response.WriteAsync($"{{\"id\":{id},\"name\":\"Ada Lovelace\"}}");
                        return;
                }
            });
            return app;
        }
    }
}

using Xunit.Abstractions;

namespace Samples.Tests;

/// <summary>Both services survive a restart with their data, tokens (the signing key is persisted) and files intact.</summary>
public sealed class RestartTests(LibraryFixture fixture, ITestOutputHelper output) : IClassFixture<LibraryFixture>
{
    [Fact]
    public async Task BothServices_Restarted_KeepDataTokensAndFiles()
    {
        var employees = fixture.Client;
        var library = fixture.LibraryClient;
        var token = fixture.AdminToken;

        await employees.CreateUserAsync(token, "restart-user", "restart-password-1", "emp.list");
        using var created = await employees.SendAsync(HttpMethod.Post, "/api/v1/employees", token, new { name = "Mary Jackson", address = "Hampton, VA" });
        var employee = await created.ReadJsonAsync(HttpStatusCode.Created);
        var employeeId = Api.IdOf(employee);
        var picture = Api.Png(50_000, seed: 21);
        using (var upload = Api.Request(HttpMethod.Put, $"/api/v1/employees/{employeeId}/picture", token))
        {
            upload.Content = Api.Multipart(picture, "image/png", "mary.png");
            using var response = await employees.SendAsync(upload);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var file = Api.Binary(70_000, seed: 22);
        using (var upload = Api.Request(HttpMethod.Post, "/api/v1/files", token))
        {
            upload.Content = Api.Multipart(file, "application/pdf", "memo.pdf", "restart-memo");
            using var response = await employees.SendAsync(upload);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        using var book = await library.SendAsync(HttpMethod.Post, "/api/v1/books", token, new { title = "Hidden Figures", author = "Margot Lee Shetterly", isbn = "978-0062363596" });
        var bookId = Api.IdOf(await book.ReadJsonAsync(HttpStatusCode.Created));
        using (var lend = await library.SendAsync(HttpMethod.Post, $"/api/v1/books/{bookId}/loans", token, new { employeeId = employee["id"] }))
        {
            await lend.ReadJsonAsync(HttpStatusCode.Created);
        }

        // The employee as it is now (the picture changed it), to compare with after the restart.
        using var before = await employees.SendAsync(HttpMethod.Get, $"/api/v1/employees/{employeeId}", token);
        var employeeBefore = (await before.ReadJsonAsync(HttpStatusCode.OK)).ToJsonString();

        using var jwksBefore = await employees.GetAsync("/.well-known/jwks.json");
        var kidsBefore = Kids(await jwksBefore.ReadJsonAsync(HttpStatusCode.OK));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await fixture.Employees.RestartAsync();
        output.WriteLine($"Employees restarted in {watch.Elapsed.TotalSeconds:F1} s");
        watch.Restart();
        await fixture.Library.RestartAsync();
        output.WriteLine($"Library restarted in {watch.Elapsed.TotalSeconds:F1} s");

        // The token issued before the restart still validates, in both services.
        using (var get = await employees.SendAsync(HttpMethod.Get, $"/api/v1/employees/{employeeId}", token))
        {
            Assert.Equal(employeeBefore, (await get.ReadJsonAsync(HttpStatusCode.OK)).ToJsonString());
            Assert.Equal(before.Headers.ETag, get.Headers.ETag);
        }

        using var jwksAfter = await employees.GetAsync("/.well-known/jwks.json");
        Assert.Equal(kidsBefore, Kids(await jwksAfter.ReadJsonAsync(HttpStatusCode.OK)));

        using (var get = await employees.SendAsync(HttpMethod.Get, $"/api/v1/employees/{employeeId}/picture", token))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(picture, await get.Content.ReadAsByteArrayAsync());
        }

        using (var get = await employees.SendAsync(HttpMethod.Get, "/api/v1/files/restart-memo", token))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal("application/pdf", get.Content.Headers.ContentType?.MediaType);
            Assert.Equal(file, await get.Content.ReadAsByteArrayAsync());
        }

        await employees.GetTokenAsync("restart-user", "restart-password-1");

        using (var get = await library.SendAsync(HttpMethod.Get, $"/api/v1/books/{bookId}", token))
        {
            Assert.Equal("Hidden Figures", (await get.ReadJsonAsync(HttpStatusCode.OK))["title"]!.GetValue<string>());
        }

        // The loan survived too: lending the book again is a conflict until it is returned.
        using (var again = await library.SendAsync(HttpMethod.Post, $"/api/v1/books/{bookId}/loans", token, new { employeeId = employee["id"] }))
        {
            await again.ReadProblemAsync(HttpStatusCode.Conflict);
        }

        using var giveBack = await library.SendAsync(HttpMethod.Delete, $"/api/v1/books/{bookId}/loans", token);
        Assert.Equal(HttpStatusCode.NoContent, giveBack.StatusCode);
    }

    private static string[] Kids(JsonObject jwks) =>
        jwks["keys"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray();
}

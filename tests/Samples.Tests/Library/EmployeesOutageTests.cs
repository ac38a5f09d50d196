using System.Diagnostics;
using Xunit.Abstractions;

namespace Samples.Tests.Library;

/// <summary>
/// The 503 row of the loans table and the sentence under it: with Employees down, a loan fails with 503
/// <c>DependencyUnavailable</c> within the client's total timeout, at once while the circuit is open, never a 500,
/// and succeeds again once Employees is back. Own processes: this test kills Employees.
/// </summary>
public sealed class EmployeesOutageTests(EmployeesOutageTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<EmployeesOutageTests.Fixture>
{
    /// <summary>The client's total timeout (30 s by default) and a margin for a loaded machine: far below "hangs".</summary>
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(35);

    /// <summary>
    /// What "at once" means: well under one retry cycle (0.5 + 1 + 2 s without jitter, as configured below), well
    /// over a rejected call on a loaded, shared 2-core machine (about 50 ms).
    /// </summary>
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Library with its Employees client made predictable through the kit's own settings: backoff without jitter,
    /// so a retrying call takes 3.5 s and cannot pass for "at once", and a circuit that judges after 8 attempts.
    /// </summary>
    public sealed class Fixture : LibraryFixture
    {
        protected override void ConfigureLibrary(Dictionary<string, string?> environment)
        {
            environment["MicroserviceKit__Clients__employees__Retry__UseJitter"] = "false";
            environment["MicroserviceKit__Clients__employees__Retry__BaseDelay"] = "00:00:00.500";
            environment["MicroserviceKit__Clients__employees__CircuitBreaker__MinimumThroughput"] = "8";
        }
    }

    [Fact]
    public async Task Loan_WhileEmployeesIsDown_Returns503Fast_AndRecoversWhenItIsBack()
    {
        var library = fixture.LibraryClient;
        var token = fixture.AdminToken;
        var employee = await fixture.Client.CreateEmployeeAsync(token, "Annie Easley");
        var books = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var create = await library.SendAsync(HttpMethod.Post, "/api/v1/books", token, new { title = $"Book {i}", author = "Author", isbn = $"isbn-{i}" });
            books.Add(Api.IdOf(await create.ReadJsonAsync(HttpStatusCode.Created)));
        }

        // Warm up: one loan while Employees is up (also caches Employees' JWKS in Library).
        using (var warm = await LendAsync(books[0]))
        {
            await warm.ReadJsonAsync(HttpStatusCode.Created);
        }

        await fixture.Employees.StopAsync(graceful: false);

        var timings = new List<TimeSpan>();
        for (var attempt = 0; attempt < 25; attempt++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await LendAsync(books[1]);
            watch.Stop();
            await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable, "DependencyUnavailable");
            Assert.True(watch.Elapsed < Bounded, $"attempt {attempt} took {watch.Elapsed}");
            timings.Add(watch.Elapsed);
            if (timings.Count >= 3 && timings.TakeLast(3).All(t => t < AtOnce))
            {
                break;
            }
        }

        output.WriteLine($"503 timings while Employees is down: {string.Join(", ", timings.Select(t => $"{t.TotalMilliseconds:F0} ms"))}");
        Assert.True(timings.Count >= 3 && timings.TakeLast(3).All(t => t < AtOnce),
            $"calls never failed at once: {string.Join(", ", timings.Select(t => $"{t.TotalMilliseconds:F0} ms"))}");

        // Library itself stays alive while its dependency is down.
        using (var live = await library.GetAsync("/health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        // Employees comes back on the same address, with its data (it was killed, not stopped): the circuit
        // closes after its break and the loan goes through.
        await fixture.Employees.StartAsync();
        var back = Stopwatch.StartNew();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var response = await LendAsync(books[2]);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                var loan = await response.ReadJsonAsync(HttpStatusCode.Created);
                Assert.Equal("Annie Easley", loan["employeeName"]!.GetValue<string>());
                output.WriteLine($"lending worked again {back.Elapsed.TotalSeconds:F1} s after Employees was back");
                break;
            }

            await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable, "DependencyUnavailable");
            Assert.True(DateTime.UtcNow < deadline, "Library did not recover within 60 s of Employees coming back");
            await Task.Delay(500);
        }

        Task<HttpResponseMessage> LendAsync(string bookId) =>
            library.SendAsync(HttpMethod.Post, $"/api/v1/books/{bookId}/loans", token, new { employeeId = employee["id"] });
    }
}

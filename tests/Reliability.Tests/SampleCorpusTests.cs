using Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Reliability.Tests;

/// <summary>
/// The hostile-request corpus against both real sample services (Employees, and Library calling it), each a
/// process started by the samples' launcher: every answer is a 4xx problem (or Kestrel's own empty 400/414/431),
/// never a 5xx, both keep answering, and nothing either process wrote to stdout/stderr holds a token, the admin
/// password or the signing key.
/// </summary>
public sealed class SampleCorpusTests(ITestOutputHelper output)
{
    // Debug logging everywhere, so that the secrets scan reads as much as the services can write.
    private static readonly Dictionary<string, string?> Verbose = new()
    {
        ["Logging__LogLevel__Default"] = "Debug",
        ["Logging__LogLevel__Microsoft.AspNetCore"] = "Debug",
        ["Logging__LogLevel__System.Net.Http.HttpClient"] = "Debug",
    };

    [Fact]
    public async Task Corpus_AgainstBothSamples_EveryAnswerIs4xxProblemAndNoSecretIsLogged()
    {
        await using var services = await Services.StartAsync(library: true, Verbose, Verbose);
        var token = services.AdminToken;
        var (_, employee, created) = await services.EmployeesClient.SendAsync(HttpMethod.Post, "/api/v1/employees", token, new { name = "Grace Hopper", address = "Arlington" });
        created.Dispose();
        var employeeId = Http.IdOf(employee!);
        var (_, book, bookResponse) = await services.LibraryClient!.SendAsync(HttpMethod.Post, "/api/v1/books", token, new { title = "Notes", author = "Ada", isbn = "978-0" });
        bookResponse.Dispose();
        var bookId = Http.IdOf(book!);

        var employees = new CorpusTarget(
            JsonPosts:
            [
                ("/api/v1/employees", "{\"name\":\"Ada\",\"address\":\"London\"}"),
                ("/api/v2/employees", "{\"name\":\"Ada\",\"address\":\"London\",\"email\":\"ada@example.org\",\"department\":\"R&D\"}"),
                ("/api/v1/tokens", "{\"username\":\"admin\",\"password\":\"not-the-password\"}"),
                ("/api/v1/users", "{\"username\":\"u\",\"password\":\"p\",\"permissions\":[\"no.such\"]}"),
            ],
            JsonPuts: [($"/api/v1/employees/{employeeId}", "{\"name\":\"Ada\",\"address\":\"London\"}"), ($"/api/v2/employees/{employeeId}", "{\"name\":\"Ada\",\"address\":\"London\"}")],
            IdRoutes:
            [
                ("/api/v1/employees/{id}", ["GET", "PUT", "DELETE"]),
                ("/api/v2/employees/{id}", ["GET", "PUT"]),
                ("/api/employees/{id}", ["GET"]),
                ("/api/v1/employees/{id}/picture", ["GET", "DELETE"]),
            ],
            ListPaths: ["/api/v1/employees", "/api/v2/employees", "/api/employees"],
            FilesPrefix: "/api/v1/files",
            PicturePath: $"/api/v1/employees/{employeeId}/picture",
            VersionedPath: $"/employees/{employeeId}");
        var library = new CorpusTarget(
            JsonPosts: [("/api/v1/books", "{\"title\":\"T\",\"author\":\"A\",\"isbn\":\"1\"}"), ($"/api/v1/books/{bookId}/loans", "{\"employeeId\":\"" + employeeId + "\"}")],
            JsonPuts: [],
            IdRoutes: [("/api/v1/books/{id}", ["GET", "DELETE"]), ("/api/v1/books/{id}/loans", ["POST", "DELETE"])],
            ListPaths: ["/api/v1/books"],
            FilesPrefix: null,
            PicturePath: null,
            VersionedPath: null);

        var jwks = await services.EmployeesClient.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative));
        var employeesCorpus = HostileCorpus.Generate(employees, token, jwks);
        var libraryCorpus = HostileCorpus.Generate(library, token, jwks, seed: 7);
        var employeesReport = await CorpusRunner.RunAsync(services.Employees.BaseAddress, employeesCorpus, token);
        var libraryReport = await CorpusRunner.RunAsync(services.Library!.BaseAddress, libraryCorpus, token);
        output.WriteLine("Employees.Service\n" + employeesReport.Summary());
        output.WriteLine("Library.Service\n" + libraryReport.Summary());

        Assert.True(employeesCorpus.Count + libraryCorpus.Count >= 500);
        Assert.Empty(employeesReport.Failures);
        Assert.Empty(libraryReport.Failures);

        // Both still serve real work: the seeded employee and book are there, and a loan goes through Employees.
        var (employeeStatus, _, r1) = await services.EmployeesClient.SendAsync(HttpMethod.Get, $"/api/v2/employees/{employeeId}", token);
        r1.Dispose();
        Assert.Equal(HttpStatusCode.OK, employeeStatus);
        var (loanStatus, loan, r2) = await services.LibraryClient!.SendAsync(HttpMethod.Post, $"/api/v1/books/{bookId}/loans", token, new { employeeId = int.Parse(employeeId, System.Globalization.CultureInfo.InvariantCulture) });
        r2.Dispose();
        Assert.True(loanStatus == HttpStatusCode.Created, $"loan after the corpus: {(int)loanStatus} {loan}");

        var secrets = new List<(string What, string Value)>
        {
            ("admin password", Services.AdminPassword),
            ("admin token", token),
            ("admin token signature", token.Split('.')[2]),
        };
        secrets.AddRange(services.KeyMaterial().Select(k => ("key file", k)));
        secrets.AddRange(HostileCorpus.TokensIn(employeesCorpus.Concat(libraryCorpus)).Select(t => ("corpus token", t)));
        var lines = services.Employees.Output.Split('\n').Concat(services.Library.Output.Split('\n')).ToList();
        var leaks = SecretScan.Find(lines, secrets);
        output.WriteLine($"log lines scanned: {lines.Count}, secrets looked for: {secrets.Count}, leaks: {leaks.Count}");
        Assert.True(lines.Count > 100, "the processes wrote almost nothing: the scan would prove nothing");
        Assert.True(secrets.Any(s => s.What == "key file"), "no key material found to look for");
        Assert.Empty(leaks);
    }
}

using System.Security.Cryptography;
using System.Text;
using Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Reliability.Tests;

/// <summary>
/// Races on the real Employees process: 32 concurrent uploads of one file id without overwrite give exactly one
/// 201 (the others 409) and the stored bytes are the winner's; concurrent If-Match updates of one employee give
/// exactly one winner per version (the others 412) and the stored employee is the winner's.
/// Run: <c>RELIABILITY_SLOW=1 dotnet test tests/Reliability.Tests -c Release --filter FullyQualifiedName~RaceTests</c>.
/// </summary>
public sealed class RaceTests(ITestOutputHelper output)
{
    private const int Uploaders = 32;
    private const int Updaters = 16;
    private const int Rounds = 5;

    [SlowFact]
    public async Task ConcurrentUploadsOfOneFileId_WithoutOverwrite_ExactlyOneWins()
    {
        await using var services = await Services.StartAsync(library: false);
        for (var round = 1; round <= Rounds; round++)
        {
            var fileId = $"race-{round}";
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var uploads = Enumerable.Range(0, Uploaders).Select(i => Task.Run(async () =>
            {
                var content = Encoding.UTF8.GetBytes($"upload {i} of round {round} " + new string('x', 64 * 1024));
                using var client = services.Employees.CreateClient();
                using var request = Http.Request(HttpMethod.Post, "/api/v1/files", services.AdminToken);
                var form = new MultipartFormDataContent { { new StringContent(fileId), "file_id" }, { new StringContent("false"), "overwrite" } };
                form.Add(new ByteArrayContent(content), "file", $"upload-{i}.bin");
                request.Content = form;
                await start.Task;
                using var response = await client.SendAsync(request);
                return ((int)response.StatusCode, Convert.ToHexStringLower(SHA256.HashData(content)));
            })).ToArray();
            start.SetResult();
            var results = await Task.WhenAll(uploads);

            var statuses = results.GroupBy(r => r.Item1).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}");
            output.WriteLine($"round {round}: {string.Join(", ", statuses)}");
            Assert.Single(results, r => r.Item1 == 201);
            Assert.Equal(Uploaders - 1, results.Count(r => r.Item1 == 409));

            // The stored file is the winner's, whole.
            using var download = await services.EmployeesClient.SendAsync(Http.Request(HttpMethod.Get, $"/api/v1/files/{fileId}", services.AdminToken));
            var stored = Convert.ToHexStringLower(SHA256.HashData(await download.Content.ReadAsByteArrayAsync()));
            Assert.Equal(results.Single(r => r.Item1 == 201).Item2, stored);
        }

        output.WriteLine($"upload races: {Rounds} rounds of {Uploaders}, exactly one 201 each");
    }

    [SlowFact]
    public async Task ConcurrentIfMatchUpdates_ExactlyOneWinsPerVersion()
    {
        await using var services = await Services.StartAsync(library: false);
        var (_, created, r) = await services.EmployeesClient.SendAsync(HttpMethod.Post, "/api/v1/employees", services.AdminToken, new { name = "Race", address = "Start" });
        r.Dispose();
        var id = Http.IdOf(created!);
        for (var round = 1; round <= Rounds; round++)
        {
            var (_, _, current) = await services.EmployeesClient.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}", services.AdminToken);
            var etag = current.Headers.ETag!.Tag;
            current.Dispose();
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var updates = Enumerable.Range(0, Updaters).Select(i => Task.Run(async () =>
            {
                using var client = services.Employees.CreateClient();
                await start.Task;
                var (status, _, response) = await client.SendAsync(HttpMethod.Put, $"/api/v1/employees/{id}", services.AdminToken,
                    new { name = $"round {round} writer {i}", address = "Race Street" },
                    request => request.Headers.TryAddWithoutValidation("If-Match", etag));
                response.Dispose();
                return ((int)status, $"round {round} writer {i}");
            })).ToArray();
            start.SetResult();
            var results = await Task.WhenAll(updates);

            output.WriteLine($"version {etag}: {string.Join(", ", results.GroupBy(x => x.Item1).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"))}");
            Assert.Single(results, x => x.Item1 == 200);
            Assert.Equal(Updaters - 1, results.Count(x => x.Item1 == 412));
            var (_, after, a) = await services.EmployeesClient.SendAsync(HttpMethod.Get, $"/api/v1/employees/{id}", services.AdminToken);
            a.Dispose();
            Assert.Equal(results.Single(x => x.Item1 == 200).Item2, after!["name"]!.GetValue<string>());
        }

        output.WriteLine($"If-Match races: {Rounds} versions × {Updaters} writers, exactly one winner each, the winner's write stored");
    }
}

namespace Fleet.Tests.Records;

/// <summary>Issue 18, test 3: one database behind both replicas; optimistic concurrency holds across them.</summary>
[Collection(FleetGroup.Name)]
public sealed class ConcurrentWriterTests(FleetTopology fleet)
{
    private const int Writers = 16;
    private const int Versions = 5;

    [FleetFact]
    public async Task RecordCreatedThroughA_IsReadThroughB()
    {
        using var a = fleet.A.CreateClient();
        using var b = fleet.B.CreateClient();
        var created = await a.CreateEmployeeAsync(fleet.AdminToken, $"Created on A {Guid.NewGuid():N}");

        using var read = await b.SendAsync(HttpMethod.Get, $"/api/v1/employees/{Http.IdOf(created)}", fleet.AdminToken);
        var employee = await read.ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(created["name"]!.GetValue<string>(), employee["name"]!.GetValue<string>());
    }

    [FleetFact]
    public async Task IfMatchWriters_SplitAcrossAAndB_ExactlyOneWinsPerVersion()
    {
        using var a = fleet.A.CreateClient();
        using var b = fleet.B.CreateClient();
        var created = await a.CreateEmployeeAsync(fleet.AdminToken, "Version 0");
        var path = $"/api/v1/employees/{Http.IdOf(created)}";

        for (var version = 1; version <= Versions; version++)
        {
            using var current = await b.SendAsync(HttpMethod.Get, path, fleet.AdminToken);
            await current.ReadJsonAsync(HttpStatusCode.OK);
            var etag = current.Headers.ETag ?? throw new InvalidOperationException("GET answered without an ETag");
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var writes = Enumerable.Range(0, Writers).Select(async writer =>
            {
                await start.Task;
                using var request = Api.Request(HttpMethod.Put, path, fleet.AdminToken, new { name = $"Version {version} by writer {writer}", address = "1 Replica Row" });
                request.Headers.IfMatch.Add(etag);
                using var response = await (writer % 2 == 0 ? a : b).SendAsync(request);
                return (Writer: writer, Status: response.StatusCode);
            }).ToList();
            start.SetResult();
            var results = await Task.WhenAll(writes);

            var statuses = string.Join(", ", results.Select(r => $"{r.Writer}:{(int)r.Status}"));
            Assert.True(results.Count(r => r.Status == HttpStatusCode.OK) == 1, $"version {version}: not exactly one 200 ({statuses})");
            Assert.True(results.Count(r => r.Status == HttpStatusCode.PreconditionFailed) == Writers - 1, $"version {version}: not {Writers - 1} × 412 ({statuses})");

            // Both replicas read the winner's write.
            var winner = results.Single(r => r.Status == HttpStatusCode.OK).Writer;
            foreach (var client in new[] { a, b })
            {
                using var read = await client.SendAsync(HttpMethod.Get, path, fleet.AdminToken);
                Assert.Equal($"Version {version} by writer {winner}", (await read.ReadJsonAsync(HttpStatusCode.OK))["name"]!.GetValue<string>());
            }
        }
    }
}

using Xunit.Abstractions;

namespace Fleet.Tests.Faults;

/// <summary>
/// Issue 18, test 6: the shared database, then the object store, stopped for 10 s under load through the gateway: 503
/// <c>DependencyUnavailable</c> during the outage and never a 500, and recovery within 10 s of the dependency's return,
/// without restarting anything.
/// </summary>
[Collection(FleetGroup.Name)]
public sealed class DependencyOutageTests(FleetTopology fleet, ITestOutputHelper output)
{
    private const int Workers = 6;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(10);

    [FleetFact]
    public async Task PostgreSqlStoppedFor10s_503DependencyUnavailableDuringIt_No500_RecoversWithin10s()
    {
        await fleet.EnsureWholeAsync();
        using var gateway = fleet.Gateway.CreateClient();
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(Http.IdOf(await gateway.CreateEmployeeAsync(fleet.AdminToken, $"Outage {i}")));
        }

        await RunOutageAsync(
            "PostgreSQL",
            fleet.Servers.HaltPostgreSqlAsync,
            fleet.Servers.ResumePostgreSqlAsync,
            async (worker, iteration) => iteration % 3 == 2
                ? ("write", await gateway.SendAsync(HttpMethod.Post, "/api/v1/employees", fleet.AdminToken, new { name = $"During {worker}-{iteration}", address = "1 Outage Lane" }))
                : ("read", await gateway.SendAsync(HttpMethod.Get, $"/api/v1/employees/{ids[(worker + iteration) % ids.Count]}", fleet.AdminToken)));
    }

    [FleetFact]
    public async Task ObjectStoreStoppedFor10s_503DependencyUnavailableDuringIt_No500_RecoversWithin10s()
    {
        await fleet.EnsureWholeAsync();
        using var gateway = fleet.Gateway.CreateClient();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var fileId = $"outage-{i}-{Guid.NewGuid():N}";
            using var upload = Api.Request(HttpMethod.Post, "/api/v1/files", fleet.AdminToken);
            upload.Content = Http.Upload(Http.RandomBytes(16 * 1024, seed: i), fileId);
            using var created = await gateway.SendAsync(upload);
            await created.ReadJsonAsync(HttpStatusCode.Created);
            ids.Add(fileId);
        }

        await RunOutageAsync(
            "the object store",
            fleet.Servers.HaltS3Async,
            fleet.Servers.ResumeS3Async,
            async (worker, iteration) => ("download", await gateway.SendAsync(HttpMethod.Get, $"/api/v1/files/{ids[(worker + iteration) % ids.Count]}", fleet.AdminToken)));
    }

    private async Task RunOutageAsync(
        string dependency, Func<Task> halt, Func<Task> resume, Func<int, int, Task<(string Operation, HttpResponseMessage Response)>> operation)
    {
        var load = new Load();
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(Workers, operation, stop.Token);
        TimeSpan haltedAt, resumedAt;
        await Task.Delay(TimeSpan.FromSeconds(2));
        await halt();
        try
        {
            haltedAt = load.Now;
            await Task.Delay(Outage);
        }
        finally
        {
            await resume();                  // returns once the server accepts connections again
            resumedAt = load.Now;
        }

        await Task.Delay(RecoveryBound + TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await running;

        var outcomes = load.Outcomes;
        var failures = outcomes.Where(o => !o.Succeeded).ToList();
        var lastFailure = failures.Count == 0 ? TimeSpan.Zero : failures.Max(f => f.Answered);
        output.WriteLine($"{dependency} down from {haltedAt.TotalSeconds:F2} s to {resumedAt.TotalSeconds:F2} s; {outcomes.Count} requests: {load.Summary()}; "
            + $"last failure answered {(lastFailure - resumedAt).TotalSeconds:F2} s after the return");

        Assert.DoesNotContain(outcomes, o => o.Status == 500);
        var unexpected = failures.FirstOrDefault(f => f.Status != 503 || f.Code != "DependencyUnavailable");
        Assert.True(unexpected is null, $"{failures.Count(f => f.Status != 503 || f.Code != "DependencyUnavailable")} failures other than 503 DependencyUnavailable, the first: {unexpected}");
        Assert.Contains(outcomes, o => o.Status == 503 && o.Sent >= haltedAt && o.Answered <= resumedAt);
        Assert.True(lastFailure - resumedAt <= RecoveryBound,
            $"still failing {(lastFailure - resumedAt).TotalSeconds:F1} s after {dependency} came back: {failures.Last()}");
        Assert.Contains(outcomes, o => o.Succeeded && o.Sent > lastFailure);
    }
}

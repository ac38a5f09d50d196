using System.Collections.Concurrent;
using System.Diagnostics;
using Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Reliability.Tests;

/// <summary>
/// Library under steady load (loans, which call Employees, and book reads, which do not) while Employees is
/// killed, restarted, frozen with SIGSTOP (a dependency that accepts connections and never answers) and thawed:
/// no 500, no request without an answer, every answer within a bound, and loans succeed again after each break.
/// Run: <c>RELIABILITY_SLOW=1 dotnet test tests/Reliability.Tests -c Release --filter FullyQualifiedName~DependencyFault</c>.
/// </summary>
public sealed class DependencyFaultTests(ITestOutputHelper output)
{
    /// <summary>The kit client's 30 s total timeout plus a margin for a loaded machine.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(40);

    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(15);

    [SlowFact]
    public async Task LibraryUnderLoad_WhileEmployeesIsStoppedFrozenAndRestarted_NeverAnswers500AndRecovers()
    {
        await using var services = await Services.StartAsync(library: true);
        var token = services.AdminToken;
        var library = services.LibraryClient!;
        var (_, employee, e) = await services.EmployeesClient.SendAsync(HttpMethod.Post, "/api/v1/employees", token, new { name = "Katherine Johnson", address = "Hampton" });
        e.Dispose();
        var employeeId = int.Parse(Http.IdOf(employee!), System.Globalization.CultureInfo.InvariantCulture);

        // Books are made one at a time before the load: concurrent first requests to Library can meet the cold-JWKS
        // 401 described in docs/reliability.md, which is not what this test is about.
        var bookIds = new List<string>();
        for (var w = 0; w < 6; w++)
        {
            var (status, book, b) = await library.SendAsync(HttpMethod.Post, "/api/v1/books", token, new { title = $"Book {w}", author = "A", isbn = $"isbn-{w}" });
            b.Dispose();
            Assert.True(status == HttpStatusCode.Created, $"book {w}: {(int)status} {book}");
            bookIds.Add(Http.IdOf(book!));
        }

        var samples = new ConcurrentQueue<(string Phase, string Kind, int Status, TimeSpan Took)>();
        var phase = "steady";
        using var stop = new CancellationTokenSource();
        // Four workers lend and give back (each call to Employees), two only read books (never calling Employees),
        // so that a loan stuck on a frozen Employees cannot hide whether the rest of Library still answers.
        var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            using var client = services.Library!.CreateClient();
            client.Timeout = TimeSpan.FromSeconds(90);
            var bookId = bookIds[w];
            while (!stop.IsCancellationRequested)
            {
                var calls = w < 4
                    ? new (string, HttpMethod, string, object?)[]
                    {
                        ("loan", HttpMethod.Post, $"/api/v1/books/{bookId}/loans", new { employeeId }),
                        ("return", HttpMethod.Delete, $"/api/v1/books/{bookId}/loans", null),
                    }
                    : [("read", HttpMethod.Get, $"/api/v1/books/{bookId}", null)];
                foreach (var (kind, method, path, body) in calls)
                {
                    var current = phase;
                    var watch = Stopwatch.StartNew();
                    int status;
                    try
                    {
                        var (s, _, response) = await client.SendAsync(method, path, token, body);
                        response.Dispose();
                        status = (int)s;
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        status = -1; // no answer at all
                    }

                    samples.Enqueue((current, kind, status, watch.Elapsed));
                }

                await Task.Delay(100);
            }
        })).ToArray();

        async Task RunPhase(string name, Func<Task> start, TimeSpan? length = null)
        {
            phase = name;
            await start();
            await Task.Delay(length ?? Phase);
        }

        await Task.Delay(Phase);
        await RunPhase("employees-killed", () => services.Employees.StopAsync(graceful: false));
        await RunPhase("employees-restarted", () => services.Employees.StartAsync());
        var pid = Services.ProcessIdOf(services.Employees.Port);
        // Frozen for longer than the client's 30 s total timeout, so that the timeout itself is exercised.
        await RunPhase("employees-frozen", () => { Services.Signal(pid, "STOP"); return Task.CompletedTask; }, TimeSpan.FromSeconds(45));
        await RunPhase("employees-thawed", () => { Services.Signal(pid, "CONT"); return Task.CompletedTask; });
        // Recovery: the circuit closes again after its break; give it one more phase and count only its second half.
        await RunPhase("recovery", () => Task.CompletedTask);
        var recoveryStart = DateTime.UtcNow;
        await Task.Delay(Phase);
        phase = "recovered";
        await Task.Delay(Phase);
        stop.Cancel();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(120));

        var all = samples.ToArray();
        foreach (var group in all.GroupBy(s => s.Phase))
        {
            output.WriteLine($"{group.Key,-20} {group.Count(),5} requests; " +
                string.Join("; ", group.GroupBy(s => s.Kind).Select(k => $"{k.Key}: {string.Join(", ", k.GroupBy(s => s.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"))}, max {k.Max(s => s.Took.TotalMilliseconds):F0} ms")));
        }

        Assert.DoesNotContain(all, s => s.Status == -1);
        Assert.DoesNotContain(all, s => s.Status >= 500 && s.Status != 503);
        Assert.All(all, s => Assert.True(s.Took < Bound, $"{s.Kind} in {s.Phase} took {s.Took}"));
        Assert.DoesNotContain(all, s => s.Kind == "read" && s.Status != 200); // reads never depend on Employees
        var recovered = all.Where(s => s.Phase == "recovered" && s.Kind == "loan").ToArray();
        Assert.NotEmpty(recovered);
        Assert.All(recovered, s => Assert.Equal(201, s.Status));
        output.WriteLine($"requests: {all.Length}, 503 during faults: {all.Count(s => s.Status == 503)}, 5xx other than 503: 0, max latency {all.Max(s => s.Took.TotalMilliseconds):F0} ms, recovery observed after {recoveryStart:HH:mm:ss}");
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Reliability.Tests;

/// <summary>
/// Mixed load against both samples at a bounded rate for 5 minutes (RELIABILITY_SOAK_SECONDS overrides; the first
/// fifth is warm-up): no error, and each process's working set at the end within 20% of its level after warm-up.
/// Run: <c>RELIABILITY_SLOW=1 dotnet test tests/Reliability.Tests -c Release --filter FullyQualifiedName~Soak</c>.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    private const int RequestsPerSecond = 40;

    [SlowFact]
    public async Task MixedLoad_ForFiveMinutes_NoErrorsAndStableWorkingSet()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_SOAK_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 300;
        var duration = TimeSpan.FromSeconds(seconds);
        var warmUp = duration / 5;
        await using var services = await Services.StartAsync(library: true);
        var token = services.AdminToken;
        var employeesPid = Services.ProcessIdOf(services.Employees.Port);
        var libraryPid = Services.ProcessIdOf(services.Library!.Port);
        var (_, seed, r) = await services.EmployeesClient.SendAsync(HttpMethod.Post, "/api/v1/employees", token, new { name = "Soak", address = "Load Lane" });
        r.Dispose();
        var employeeId = int.Parse(Http.IdOf(seed!), CultureInfo.InvariantCulture);

        var pool = new int[64];
        for (var p = 0; p < pool.Length; p++)
        {
            var (_, member, m) = await services.EmployeesClient.SendAsync(HttpMethod.Post, "/api/v1/employees", token, new { name = $"Pool {p}", address = "Load Lane" });
            m.Dispose();
            pool[p] = int.Parse(Http.IdOf(member!), CultureInfo.InvariantCulture);
        }

        var errors = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        (long Employees, long Library) afterWarmUp = default;
        var operations = new Func<HttpClient, HttpClient, int, Task<string>>[]
        {
            async (emp, _, i) => await Expect(emp, HttpMethod.Post, "/api/v1/employees", token, new { name = $"Soak {i}", address = "Load Lane" }, 201, "emp.create"),
            async (emp, _, _) => await Expect(emp, HttpMethod.Get, $"/api/v1/employees/{employeeId}", token, null, 200, "emp.get"),
            async (emp, _, _) => await Expect(emp, HttpMethod.Get, "/api/v2/employees?page=1&pageSize=20", token, null, 200, "emp.list"),
            // Unconditional updates of one employee at once can rightly meet a 409 ConcurrencyConflict (the repository
            // re-checks the version it read); so each update goes to its own employee of a pool, seconds apart.
            async (emp, _, i) => await Expect(emp, HttpMethod.Put, $"/api/v2/employees/{pool[i / 7 % pool.Length]}", token, new { name = $"Soak {i}", address = "Load Lane" }, 200, "emp.update"),
            async (emp, _, i) =>
            {
                var id = $"soak-{i}";
                using var upload = Http.Request(HttpMethod.Post, "/api/v1/files", token);
                var bytes = RandomNumberGenerator.GetBytes(16 * 1024);
                upload.Content = new MultipartFormDataContent { { new StringContent(id), "file_id" }, { new ByteArrayContent(bytes), "file", "soak.bin" } };
                using var created = await emp.SendAsync(upload);
                if (created.StatusCode != HttpStatusCode.Created)
                {
                    return $"file.upload {(int)created.StatusCode}";
                }

                using var download = await emp.SendAsync(Http.Request(HttpMethod.Get, $"/api/v1/files/{id}", token));
                if (!(await download.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(bytes))
                {
                    return "file.download content differs";
                }

                return await Expect(emp, HttpMethod.Delete, $"/api/v1/files/{id}", token, null, 204, "file.delete");
            },
            async (_, lib, i) =>
            {
                var (status, book, response) = await lib.SendAsync(HttpMethod.Post, "/api/v1/books", token, new { title = $"Soak {i}", author = "A", isbn = $"soak-{i}" });
                response.Dispose();
                if (status != HttpStatusCode.Created)
                {
                    return $"book.create {(int)status}";
                }

                var bookId = Http.IdOf(book!);
                var loan = await Expect(lib, HttpMethod.Post, $"/api/v1/books/{bookId}/loans", token, new { employeeId }, 201, "loan.create");
                return loan.Length > 0 ? loan : await Expect(lib, HttpMethod.Delete, $"/api/v1/books/{bookId}/loans", token, null, 204, "loan.delete");
            },
            async (_, lib, _) => await Expect(lib, HttpMethod.Get, "/api/v1/books?page=1&pageSize=20", token, null, 200, "book.list"),
        };

        using var employeesClient = services.Employees.CreateClient();
        using var libraryClient = services.Library.CreateClient();
        var inFlight = new List<Task>();
        var n = 0;
        while (clock.Elapsed < duration)
        {
            if (afterWarmUp == default && clock.Elapsed >= warmUp)
            {
                await Task.WhenAll(inFlight);
                GC.Collect();
                afterWarmUp = (Services.WorkingSet(employeesPid), Services.WorkingSet(libraryPid));
            }

            // A bounded rate: one request started every 1/40 s, whatever the latency.
            var i = n++;
            var op = operations[i % operations.Length];
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    var error = await op(employeesClient, libraryClient, i);
                    if (error.Length > 0)
                    {
                        errors.Enqueue(error);
                    }
                }
                catch (Exception ex)
                {
                    errors.Enqueue($"{ex.GetType().Name}: {ex.Message}");
                }
            }));
            inFlight.RemoveAll(t => t.IsCompleted);
            var next = TimeSpan.FromSeconds((double)n / RequestsPerSecond);
            if (next > clock.Elapsed)
            {
                await Task.Delay(next - clock.Elapsed);
            }
        }

        await Task.WhenAll(inFlight).WaitAsync(TimeSpan.FromSeconds(120));
        var atEnd = (Employees: Services.WorkingSet(employeesPid), Library: Services.WorkingSet(libraryPid));
        output.WriteLine($"soak {duration.TotalSeconds:F0} s at {RequestsPerSecond} operations/s: {n} operations, errors: {errors.Count}");
        output.WriteLine($"working set after warm-up ({warmUp.TotalSeconds:F0} s): Employees {afterWarmUp.Employees / 1048576.0:F1} MiB, Library {afterWarmUp.Library / 1048576.0:F1} MiB; " +
            $"at the end: Employees {atEnd.Employees / 1048576.0:F1} MiB ({Ratio(atEnd.Employees, afterWarmUp.Employees)}), Library {atEnd.Library / 1048576.0:F1} MiB ({Ratio(atEnd.Library, afterWarmUp.Library)})");
        foreach (var error in errors.Take(20))
        {
            output.WriteLine("  error: " + error);
        }

        Assert.Empty(errors);
        Assert.InRange(atEnd.Employees, 0, afterWarmUp.Employees * 1.2);
        Assert.InRange(atEnd.Library, 0, afterWarmUp.Library * 1.2);
    }

    private static string Ratio(long end, long start) => $"{(end - start) * 100.0 / start:+0.0;-0.0}%";

    private static async Task<string> Expect(HttpClient client, HttpMethod method, string path, string token, object? body, int expected, string what)
    {
        var (status, json, response) = await client.SendAsync(method, path, token, body);
        response.Dispose();
        return (int)status == expected ? string.Empty : $"{what} {(int)status}: {json?.ToJsonString()}";
    }
}

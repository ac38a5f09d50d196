using System.Diagnostics;

namespace Samples.Tests.Observability;

/// <summary>
/// Both samples as real processes exporting OTLP to a receiver this test hosts; Library finds Employees by the
/// service name <c>https+http://employees</c> resolved from <c>Services__employees__http__0</c>.
/// </summary>
public sealed class TraceContinuityFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _employeesData = new("otel-employees");
    private readonly TempDirectory _libraryData = new("otel-library");

    public OtlpReceiver Receiver { get; private set; } = null!;

    public SampleProcess Employees { get; private set; } = null!;

    public SampleProcess Library { get; private set; } = null!;

    public string AdminToken { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await OtlpReceiver.StartAsync();
        var employees = EmployeesFixture.EmployeesEnvironment(_employeesData);
        foreach (var (key, value) in Receiver.ExporterEnvironment().Concat(RequestLogs))
        {
            employees[key] = value;
        }

        Employees = await SampleProcess.StartAsync(Sample.Employees, employees);
        using (var client = Employees.CreateClient())
        {
            AdminToken = await client.GetTokenAsync(Api.AdminUser, Api.DevAdminPassword);
        }

        var library = new Dictionary<string, string?>(Receiver.ExporterEnvironment().Concat(RequestLogs))
        {
            ["Library__DataDirectory"] = _libraryData.Path,
            ["Library__EmployeesBaseAddress"] = "https+http://employees",
            ["Services__employees__http__0"] = Employees.BaseAddress.ToString().TrimEnd('/'),
        };
        Library = await SampleProcess.StartAsync(Sample.Library, library);
    }

    public async Task DisposeAsync()
    {
        if (Library is not null)
        {
            await Library.DisposeAsync();
        }

        if (Employees is not null)
        {
            await Employees.DisposeAsync();
        }

        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }

        Dispose();
    }

    public void Dispose()
    {
        _libraryData.Dispose();
        _employeesData.Dispose();
    }

    // ASP.NET Core's request lines, so that each service logs inside every request it serves.
    private static readonly Dictionary<string, string?> RequestLogs = new()
    {
        ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
    };
}

public sealed class TraceContinuityTests(TraceContinuityFixture fixture) : IClassFixture<TraceContinuityFixture>
{
    private const int Server = 2;
    private const int Client = 3;
    private static readonly TimeSpan ExportWait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Loan_WithTraceparent_SpansOfBothServicesInThatTrace_LinkedParentToChild_AndLogsCarryTheIds()
    {
        using var employees = fixture.Employees.CreateClient();
        using var library = fixture.Library.CreateClient();
        var employee = await employees.CreateEmployeeAsync(fixture.AdminToken, "Grace Hopper");
        using var book = await library.SendAsync(HttpMethod.Post, "/api/v1/books", fixture.AdminToken, new { title = "COBOL", author = "G. H.", isbn = "1" });
        var bookId = Api.IdOf(await book.ReadJsonAsync(HttpStatusCode.Created));
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var parentId = ActivitySpanId.CreateRandom().ToHexString();

        using var request = Api.Request(HttpMethod.Post, $"/api/v1/books/{bookId}/loans", fixture.AdminToken, new { employeeId = employee["id"] });
        request.Headers.Add("traceparent", $"00-{traceId}-{parentId}-01");
        using var loan = await library.SendAsync(request);
        await loan.ReadJsonAsync(HttpStatusCode.Created);

        var spans = (await fixture.Receiver.WaitForSpansAsync(
            all => all.Count(s => s.TraceId == traceId && s.Kind == Server) >= 2 && all.Any(s => s.TraceId == traceId && s.Scope == "Microservice.Kit"), ExportWait))
            .Where(s => s.TraceId == traceId).ToList();
        var describe = string.Join("\n", spans.Select(s => $"{s.Service} {s.Scope} {s.Kind} {s.Name} {s.SpanId} <- {s.ParentSpanId}"));

        // Library's server span continues the caller's trace.
        var libraryServer = Assert.Single(spans, s => s.Service == "library" && s.Kind == Server);
        Assert.Equal(parentId, libraryServer.ParentSpanId);

        // The kit's span of the call to Employees is its child; an HTTP attempt is the kit span's child...
        var call = Assert.Single(spans, s => s.Service == "library" && s.Scope == "Microservice.Kit" && s.Name.StartsWith("employees ", StringComparison.Ordinal));
        Assert.True(call.ParentSpanId == libraryServer.SpanId, describe);
        var attempts = spans.Where(s => s.Service == "library" && s.Kind == Client && s.ParentSpanId == call.SpanId).ToList();
        Assert.True(attempts.Count >= 1, describe);

        // ... and Employees' server span is the child of that attempt.
        var employeesServer = Assert.Single(spans, s => s.Service == "employees" && s.Kind == Server);
        Assert.True(attempts.Any(a => a.SpanId == employeesServer.ParentSpanId), describe);
        Assert.DoesNotContain(spans, s => s.Attributes.GetValueOrDefault("url.path", "").StartsWith("/health", StringComparison.Ordinal));

        // Each service's logs of the request carry the trace and a span of that service in it.
        var deadline = DateTime.UtcNow + ExportWait;
        List<OtlpLog> logs;
        do
        {
            logs = fixture.Receiver.Logs.Where(l => l.TraceId == traceId).ToList();
            if (logs.Any(l => l.Service == "library") && logs.Any(l => l.Service == "employees"))
            {
                break;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        var spanIds = spans.ToDictionary(s => s.SpanId, s => s.Service, StringComparer.Ordinal);
        Assert.Contains(logs, l => l.Service == "library" && spanIds.GetValueOrDefault(l.SpanId) == "library");
        Assert.Contains(logs, l => l.Service == "employees" && spanIds.GetValueOrDefault(l.SpanId) == "employees");
    }

    [Fact]
    public async Task Problem_WithTraceparent_TraceIdIsThatTrace()
    {
        using var library = fixture.Library.CreateClient();
        var traceId = ActivityTraceId.CreateRandom().ToHexString();

        using var request = Api.Request(HttpMethod.Get, "/api/v1/books/987654321", fixture.AdminToken);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await library.SendAsync(request);
        var problem = await response.ReadProblemAsync(HttpStatusCode.NotFound);

        // W3C form, 00-<trace id>-<span id>-<flags>: the span is Library's own server span in the caller's trace.
        var parts = problem["traceId"]!.GetValue<string>().Split('-');
        Assert.Equal(traceId, parts[1]);
        var spans = await fixture.Receiver.WaitForSpansAsync(all => all.Any(s => s.TraceId == traceId && s.Kind == Server), ExportWait);
        Assert.Contains(spans, s => s.TraceId == traceId && s.SpanId == parts[2] && s.Service == "library" && s.Kind == Server);
    }
}

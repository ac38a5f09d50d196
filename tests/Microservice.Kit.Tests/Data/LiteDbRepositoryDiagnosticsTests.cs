using Microservice.Kit.Data;
using Microservice.Kit.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Microservice.Kit.Tests.Data;

public sealed class LiteDbRepositoryDiagnosticsTests
{
    [Fact]
    public async Task Operations_AreLoggedWithOperationStatusAndReason_WithoutEntityContent()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(logs)));
        using var context = new LiteDbContext(new LiteDbOptions { ConnectionString = ":memory:" }, loggerFactory: loggerFactory);
        var users = TestRepositories.Users(context);

        await users.AddAsync(new User { Username = "secret-name", Email = "s@example.test" });
        await Assert.ThrowsAsync<DuplicateKeyException>(() => users.AddAsync(new User { Username = "secret-name", Email = "t@example.test" }));

        var records = logs.GetSnapshot();
        var ok = Assert.Single(records, r => r.Id.Name == "DataOperationSucceeded" && Field(r, "Operation") == "add");
        Assert.Equal("ok", Field(ok, "Status"));
        Assert.Equal(LogLevel.Debug, ok.Level);
        var rejected = Assert.Single(records, r => r.Id.Name == "DataOperationRejected");
        Assert.Equal(("add", "conflict", "DuplicateKey", "User"), (Field(rejected, "Operation"), Field(rejected, "Status"), Field(rejected, "Reason"), Field(rejected, "Collection")));
        Assert.DoesNotContain(records, r => r.Message.Contains("secret-name", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Operations_AreCountedAndTimedByCollectionOperationAndStatus()
    {
        using var operations = new MetricCollector<long>(KitDiagnostics.Meter, "microservice_kit.data.operations");
        using var duration = new MetricCollector<double>(KitDiagnostics.Meter, "microservice_kit.data.operation.duration");
        using var db = new TestDatabase();
        var employees = TestRepositories.Employees(db.Context);

        var added = await employees.AddAsync(new Employee { Name = "a", Address = "b" });
        await employees.GetAsync(added.Id + 1000);

        var measurements = operations.GetMeasurementSnapshot().Where(m => Equals(m.Tags["collection"], "Employee")).ToList();
        Assert.Contains(measurements, m => Equals(m.Tags["operation"], "add") && Equals(m.Tags["status"], "ok") && m.Value == 1);
        Assert.Contains(measurements, m => Equals(m.Tags["operation"], "get") && Equals(m.Tags["status"], "not_found"));
        Assert.Contains(duration.GetMeasurementSnapshot(), m => Equals(m.Tags["collection"], "Employee") && m.Value >= 0);
    }

    private static string? Field(FakeLogRecord record, string name) =>
        record.StructuredState?.FirstOrDefault(pair => pair.Key == name).Value;
}

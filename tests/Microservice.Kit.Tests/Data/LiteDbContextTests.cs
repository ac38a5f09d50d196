using Microservice.Kit.Data;
using Microservice.Kit.Data.Internal;
using Microservice.Kit.Problems;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microservice.Kit.Tests.Data;

/// <summary>The database file's modes, and a database that meets a full disk and recovers without a restart.</summary>
[Collection(ThreadPoolHeavy.Name)]
public sealed class LiteDbContextTests
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    [Fact]
    public async Task Open_NewFile_DirectoryIs0700_DatabaseAndLogAre0600()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix modes
        }

        var root = Path.Combine(Path.GetTempPath(), "kit-db-" + Guid.NewGuid().ToString("N"));
        try
        {
            var file = Path.Combine(root, "data", "app.db");
            using (var context = new LiteDbContext(new LiteDbOptions { ConnectionString = $"Filename={file}" }))
            {
                await TestRepositories.Employees(context).AddAsync(new Employee { Name = "Ada", Address = "London" });

                Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(file));
                Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(LiteDbFiles.LogFileOf(file)));
            }

            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(Path.Combine(root, "data")));
            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(root));
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(file));

            // The data survives a close, and a reopen keeps the mode.
            using (var context = new LiteDbContext(new LiteDbOptions { ConnectionString = $"Filename={file}" }))
            {
                Assert.Equal(1, await TestRepositories.Employees(context).CountAsync());
                Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(file));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TmpfsFact]
    public async Task DiskFull_WritesAre507_ReadinessUnhealthy_ThenBothRecoverWithoutARestart()
    {
        using var disk = Tmpfs.Mount(16);
        using var context = new LiteDbContext(new LiteDbOptions { ConnectionString = $"Filename={Path.Combine(disk.Path, "app.db")}" });
        var employees = TestRepositories.Employees(context);
        var health = new LiteDbHealthCheck(context);
        var first = await employees.AddAsync(new Employee { Name = "Ada", Address = "London" });
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);

        var filler = disk.Fill();
        var error = await Assert.ThrowsAsync<InsufficientStorageException>(() => employees.AddAsync(new Employee { Name = "Grace", Address = new string('x', 1000) }));
        Assert.Equal(507, error.StatusCode);
        Assert.Equal(ProblemCodes.InsufficientStorage, error.Code);
        var unhealthy = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);

        File.Delete(filler);

        // A failed reopen waits a second before the next; poll well past that.
        var added = await Eventually(() => employees.AddAsync(new Employee { Name = "Grace", Address = "Arlington" }));
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);
        Assert.Equal("Ada", (await employees.GetAsync(first.Id))!.Name);
        Assert.Equal("Grace", (await employees.GetAsync(added.Id))!.Name);
        Assert.Equal(2, await employees.CountAsync());
    }

    [TmpfsFact]
    public async Task DiskFull_ConcurrentCallers_Get507Or503Only_AndAllSucceedOnceSpaceIsBack()
    {
        using var disk = Tmpfs.Mount(16);
        using var context = new LiteDbContext(new LiteDbOptions { ConnectionString = $"Filename={Path.Combine(disk.Path, "app.db")}", MaxConcurrentOperations = 4 });
        var employees = TestRepositories.Employees(context);
        var ada = await employees.AddAsync(new Employee { Name = "Ada", Address = "London" });
        var filler = disk.Fill();

        var whileFull = await Task.WhenAll(Enumerable.Range(0, 48).Select(i => Outcome(i % 3 == 0
            ? (Func<Task>)(() => employees.GetAsync(ada.Id))
            : () => employees.AddAsync(new Employee { Name = "Writer " + i, Address = new string('x', 1000) }))));

        Assert.All(whileFull, outcome => Assert.True(
            outcome is null or InsufficientStorageException or DependencyUnavailableException,
            $"a caller got {outcome?.GetType().Name}: {outcome?.Message}"));
        Assert.Contains(whileFull, outcome => outcome is InsufficientStorageException);

        File.Delete(filler);
        await Eventually(() => employees.GetAsync(ada.Id));
        var afterwards = await Task.WhenAll(Enumerable.Range(0, 48).Select(i => Outcome(
            () => employees.AddAsync(new Employee { Name = "After " + i, Address = "London" }))));

        Assert.All(afterwards, Assert.Null);
        Assert.Equal(48, await employees.CountAsync(e => e.Name.StartsWith("After ")));

        // The transactions the fault interrupted belong to an engine nothing references any more: their finalizers
        // must not run into LiteDB's assertion, which would end this process.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static async Task<Exception?> Outcome(Func<Task> call)
    {
        try
        {
            await Task.Yield();
            await call();
            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }

    private static async Task<T> Eventually<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (KitException exception) when (exception.StatusCode is 503 or 507 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using Microservice.Kit.Data;
using Microservice.Kit.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Tests.Data.Contract;

/// <summary>
/// Kills a process that is writing through a repository (SIGKILL, no shutdown, no checkpoint) and checks that every
/// add and update it had acknowledged is there when the store is opened again — on every backend: a backend adds its
/// entry to <see cref="DurabilityBackends.All"/> and a fact that calls <see cref="DurabilityBackends.RunAsync"/> with a store of its own.
/// </summary>
public sealed class RepositoryDurabilityTests
{
    [Fact]
    public async Task LiteDb_AcknowledgedWrites_SurviveKillMinus9()
    {
        var directory = Directory.CreateTempSubdirectory("kit-data-durability-");
        var path = Path.Combine(directory.FullName, "durable.db");
        try
        {
            await DurabilityBackends.RunAsync("litedb", path, afterKill: () => Assert.True(File.Exists(Path.Combine(directory.FullName, "durable-log.db")),
                "the child must have been killed with its changes still in the -log file, not checkpointed"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

/// <summary>
/// The backends the durability test (and its child process) can build a kit on, by name, over a target (a LiteDB
/// file, a connection string). The PostgreSQL work adds <c>"postgresql"</c>.
/// </summary>
public static class DurabilityBackends
{
    public static IReadOnlyDictionary<string, Action<IMicroserviceKitBuilder, string>> All { get; } = new Dictionary<string, Action<IMicroserviceKitBuilder, string>>
    {
        ["litedb"] = static (kit, target) => kit.AddLiteDb(options => options.ConnectionString = target),
    };

    /// <summary>Builds the kit with the test's employees repository on a backend and runs its start-up tasks, as a host would.</summary>
    public static async Task<ServiceProvider> StartAsync(string backend, string target)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var kit = services.AddMicroserviceKit();
        All[backend](kit, target);
        kit.AddRepository<Employee, int, EmployeeDefinition>();
        var provider = services.BuildServiceProvider();
        foreach (var task in provider.GetServices<IKitStartupTask>())
        {
            await task.RunAsync(CancellationToken.None);
        }

        return provider;
    }

    /// <summary>Runs the child on <paramref name="backend"/> over <paramref name="target"/>, kills it after 300 acknowledgements, and checks them all.</summary>
    public static async Task RunAsync(string backend, string target, Action? afterKill = null)
    {
        var acknowledged = await RunChildAndKillAsync(backend, target, acknowledgementsBeforeKill: 300);
        afterKill?.Invoke();

        await using var services = await DurabilityBackends.StartAsync(backend, target);
        var employees = services.GetRequiredService<IRepository<Employee, int>>();
        foreach (var (id, version) in acknowledged)
        {
            var employee = await employees.GetAsync(id);
            Assert.True(employee is not null, $"{backend}: acknowledged add of {id} was lost");
            Assert.True(employee.Version >= version, $"{backend}: acknowledged update of {id} to version {version} was lost (found {employee.Version})");
        }
    }

    private static async Task<Dictionary<int, long>> RunChildAndKillAsync(string backend, string target, int acknowledgementsBeforeKill)
    {
        var testAssembly = typeof(StartupHook).Assembly.Location;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(testAssembly);
        start.Environment["DOTNET_STARTUP_HOOKS"] = testAssembly;
        start.Environment[StartupHook.BackendVariable] = backend;
        start.Environment[StartupHook.DatabaseVariable] = target;

        using var child = Process.Start(start)!;
        var acknowledged = new Dictionary<int, long>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            var count = 0;
            while (count < acknowledgementsBeforeKill)
            {
                var line = await child.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException("the child stopped: " + await child.StandardError.ReadToEndAsync(timeout.Token));
                var parts = line.Split(' ');
                if (parts[0] == "ack")
                {
                    acknowledged[int.Parse(parts[1], CultureInfo.InvariantCulture)] = long.Parse(parts[2], CultureInfo.InvariantCulture);
                    count++;
                }
            }
        }
        finally
        {
            // SIGKILL on Linux: the child gets no chance to flush, checkpoint or dispose anything.
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync(CancellationToken.None);
        }

        return acknowledged;
    }
}

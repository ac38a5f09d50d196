using System.Diagnostics;
using System.Globalization;
using Microservice.Kit.Data;

namespace Microservice.Kit.Tests.Data;

/// <summary>
/// Kills a process that is writing through a repository (SIGKILL, no shutdown, no checkpoint) and checks that every
/// add and update it had acknowledged is in the file when it is opened again.
/// </summary>
public sealed class LiteDbDurabilityTests
{
    [Fact]
    public async Task AcknowledgedWrites_SurviveKillMinus9()
    {
        var directory = Directory.CreateTempSubdirectory("kit-data-durability-");
        var path = Path.Combine(directory.FullName, "durable.db");
        try
        {
            var acknowledged = await RunChildAndKillAsync(path, acknowledgementsBeforeKill: 300);

            Assert.True(File.Exists(Path.Combine(directory.FullName, "durable-log.db")),
                "the child must have been killed with its changes still in the -log file, not checkpointed");
            using var context = new LiteDbContext(new LiteDbOptions { ConnectionString = path });
            var employees = TestRepositories.Employees(context);
            foreach (var (id, version) in acknowledged)
            {
                var employee = await employees.GetAsync(id);
                Assert.True(employee is not null, $"acknowledged add of {id} was lost");
                Assert.True(employee.Version >= version, $"acknowledged update of {id} to version {version} was lost (found {employee.Version})");
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<Dictionary<int, long>> RunChildAndKillAsync(string path, int acknowledgementsBeforeKill)
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
        start.Environment[StartupHook.DatabaseVariable] = path;

        using var child = Process.Start(start)!;
        var acknowledged = new Dictionary<int, long>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
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

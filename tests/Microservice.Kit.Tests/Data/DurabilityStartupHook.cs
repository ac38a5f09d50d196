using System.Globalization;
using Microservice.Kit.Data;
using Microservice.Kit.Tests.Data;
using Microservice.Kit.Tests.Data.Contract;
using Microsoft.Extensions.DependencyInjection;

#pragma warning disable CA1050 // The runtime finds a startup hook only by this exact name, outside any namespace.

/// <summary>
/// The child process of <see cref="Microservice.Kit.Tests.Data.Contract.RepositoryDurabilityTests"/>: started as <c>dotnet exec Microservice.Kit.Tests.dll</c>
/// with this assembly as <c>DOTNET_STARTUP_HOOKS</c>, it writes through a repository without end and prints
/// <c>ack &lt;id&gt; &lt;version&gt;</c> after each write returns, until it is killed. Does nothing in any other process.
/// </summary>
internal static class StartupHook
{
    public const string DatabaseVariable = "KIT_DATA_DURABILITY_DATABASE";

    public const string BackendVariable = "KIT_DATA_DURABILITY_BACKEND";

    public static void Initialize()
    {
        var path = Environment.GetEnvironmentVariable(DatabaseVariable);
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        var services = DurabilityBackends.StartAsync(Environment.GetEnvironmentVariable(BackendVariable) ?? "litedb", path).GetAwaiter().GetResult();
        var employees = services.GetRequiredService<IRepository<Employee, int>>();
        var output = Console.Out;
        Employee? previous = null;
        for (var i = 0; ; i++)
        {
            if (previous is not null && i % 3 == 0)
            {
                previous.Address = "updated " + i.ToString(CultureInfo.InvariantCulture);
                employees.UpdateAsync(previous).GetAwaiter().GetResult();
                output.WriteLine($"ack {previous.Id} {previous.Version}");
            }
            else
            {
                previous = employees.AddAsync(new Employee { Name = "durable" + i.ToString(CultureInfo.InvariantCulture), Address = "added" })
                    .GetAwaiter().GetResult();
                output.WriteLine($"ack {previous.Id} {previous.Version}");
            }

            output.Flush();
        }
    }
}

using System.Globalization;
using Microservice.Kit.Data;
using Microservice.Kit.Tests.Data;

#pragma warning disable CA1050 // The runtime finds a startup hook only by this exact name, outside any namespace.

/// <summary>
/// The child process of <see cref="LiteDbDurabilityTests"/>: started as <c>dotnet exec Microservice.Kit.Tests.dll</c>
/// with this assembly as <c>DOTNET_STARTUP_HOOKS</c>, it writes through a repository without end and prints
/// <c>ack &lt;id&gt; &lt;version&gt;</c> after each write returns, until it is killed. Does nothing in any other process.
/// </summary>
internal static class StartupHook
{
    public const string DatabaseVariable = "KIT_DATA_DURABILITY_DATABASE";

    public static void Initialize()
    {
        var path = Environment.GetEnvironmentVariable(DatabaseVariable);
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        var context = new LiteDbContext(new LiteDbOptions { ConnectionString = path });
        var employees = TestRepositories.Employees(context);
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

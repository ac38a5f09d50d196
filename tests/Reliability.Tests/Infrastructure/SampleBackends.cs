namespace Reliability.Tests.Infrastructure;

/// <summary>
/// The data backends a sample can run on, for tests that must hold on each (the SIGKILL durability test): the name, and
/// the environment that selects it. The PostgreSQL work adds <c>"postgresql"</c> (<c>ConnectionStrings__Employees</c>
/// set to a database of the test's own).
/// </summary>
public static class SampleBackends
{
    public static TheoryData<string> Names => new() { "litedb" };

    /// <summary>The Employees sample's environment for a backend; LiteDB is the default (the data directory).</summary>
    public static Dictionary<string, string?> EmployeesEnvironment(string backend) => backend switch
    {
        "litedb" => [],
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, "no such sample backend"),
    };
}

/// <summary>A theory that runs only with <c>RELIABILITY_SLOW=1</c>, like <see cref="SlowFactAttribute"/>.</summary>
public sealed class SlowTheoryAttribute : TheoryAttribute
{
    public SlowTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable("RELIABILITY_SLOW") != "1")
        {
            Skip = "slow reliability part: run with RELIABILITY_SLOW=1 (see docs/reliability.md)";
        }
    }
}

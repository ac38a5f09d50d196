using System.Diagnostics;
using System.Net.Http;

namespace Microservice.Kit.Tests.Infrastructure;

/// <summary>
/// The real servers the provider tests run against, never mocks: a throwaway PostgreSQL cluster and an S3-compatible
/// server (@20minutes/s3rver), both on 127.0.0.1. <c>.ci/run</c> starts one of each for the whole run and hands them
/// over in <c>KIT_TEST_POSTGRES</c> (an Npgsql connection string for the superuser) and <c>KIT_TEST_S3</c> (a service
/// URL; access key and secret <c>S3RVER</c>). Without those variables the first test that needs a server starts one itself with
/// <c>eng/servers/postgres.sh</c> or <c>eng/servers/s3.sh</c> and stops it when the test process exits. Where neither
/// works, the tests that need the server are skipped with the reason, except under <c>CI=true</c>, where they run and
/// fail.
/// </summary>
public static class TestServers
{
    private static readonly Lazy<(string? Value, string? Reason)> PostgreSqlServer = new(() => Locate("KIT_TEST_POSTGRES", "postgres.sh"));
    private static readonly Lazy<(string? Value, string? Reason)> S3Server = new(() => Locate("KIT_TEST_S3", "s3.sh"));

    /// <summary>Why no PostgreSQL server is available, or <see langword="null"/> when one is.</summary>
    public static string? PostgreSqlUnavailableReason => PostgreSqlServer.Value.Reason;

    /// <summary>Why no S3-compatible server is available, or <see langword="null"/> when one is.</summary>
    public static string? S3UnavailableReason => S3Server.Value.Reason;

    /// <summary>The superuser connection string of the test cluster (database <c>postgres</c>).</summary>
    public static string PostgreSqlAdminConnectionString =>
        PostgreSqlServer.Value.Value ?? throw new InvalidOperationException("No PostgreSQL server for the tests: " + PostgreSqlServer.Value.Reason);

    /// <summary>The service URL of the S3-compatible test server (path-style; access key and secret <c>S3RVER</c>).</summary>
    public static Uri S3ServiceUrl =>
        new(S3Server.Value.Value ?? throw new InvalidOperationException("No S3-compatible server for the tests: " + S3Server.Value.Reason));

    internal static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Creates an empty database of its own for one test (class) and returns its connection string, so that tests
    /// never see each other's tables.
    /// </summary>
    public static string CreatePostgreSqlDatabase(string prefix = "kit_test")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}".ToLowerInvariant();
        RunPsql(PostgreSqlAdminConnectionString, $"CREATE DATABASE \"{name}\"");
        return ReplaceDatabase(PostgreSqlAdminConnectionString, name);
    }

    /// <summary>Creates an empty bucket of its own for one test (class) and returns its name.</summary>
    public static async Task<string> CreateS3BucketAsync(string prefix = "kit-test")
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)].ToLowerInvariant();
        using var client = new HttpClient { BaseAddress = S3ServiceUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await client.PutAsync(new Uri(name, UriKind.Relative), content: null);
        response.EnsureSuccessStatusCode();
        return name;
    }

    private static string ReplaceDatabase(string connectionString, string database)
    {
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Where(part => !part.TrimStart().StartsWith("Database=", StringComparison.OrdinalIgnoreCase));
        return string.Join(';', parts.Append("Database=" + database));
    }

    private static void RunPsql(string connectionString, string sql)
    {
        var settings = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .ToDictionary(pair => pair[0].Trim(), pair => pair.Length > 1 ? pair[1].Trim() : "", StringComparer.OrdinalIgnoreCase);
        var start = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "-v", "ON_ERROR_STOP=1", "-q",
            "-h", settings.GetValueOrDefault("Host", "127.0.0.1"),
            "-p", settings.GetValueOrDefault("Port", "5432"),
            "-U", settings.GetValueOrDefault("Username", "postgres"),
            "-d", settings.GetValueOrDefault("Database", "postgres"),
            "-c", sql,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"psql failed ({process.ExitCode}): {output.Trim()}");
        }
    }

    private static (string? Value, string? Reason) Locate(string variable, string script)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } given)
        {
            return (given, null);
        }

        if (!OperatingSystem.IsLinux())
        {
            return (null, $"{variable} is unset and eng/servers/{script} needs Linux");
        }

        var root = FindRepositoryRoot();
        if (root is null)
        {
            return (null, $"{variable} is unset and the repository (eng/servers/{script}) was not found above {AppContext.BaseDirectory}");
        }

        var directory = Path.Combine(Path.GetTempPath(), $"kit-{Path.GetFileNameWithoutExtension(script)}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        // The script's watcher stops the server if this process dies before the ProcessExit handler below runs.
        var (exitCode, output, error) = Run("bash", Path.Combine(root, "eng", "servers", script), "start", directory);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(variable + "=", StringComparison.Ordinal));
        if (exitCode != 0 || line is null)
        {
            return (null, $"{variable} is unset and eng/servers/{script} could not start one ({exitCode}): {error.Trim()}");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Run("bash", Path.Combine(root, "eng", "servers", script), "stop", directory);
        return (line[(variable.Length + 1)..].Trim(), null);
    }

    private static string? FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Kit.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    private static (int ExitCode, string Output, string Error) Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["KIT_SERVER_OWNER_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }
}

/// <summary>A fact that needs the PostgreSQL test server: skipped with the reason where none is available, run under <c>CI=true</c>.</summary>
public sealed class PostgreSqlFactAttribute : FactAttribute
{
    public PostgreSqlFactAttribute()
    {
        if (!TestServers.InCi && TestServers.PostgreSqlUnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that needs the PostgreSQL test server: skipped with the reason where none is available, run under <c>CI=true</c>.</summary>
public sealed class PostgreSqlTheoryAttribute : TheoryAttribute
{
    public PostgreSqlTheoryAttribute()
    {
        if (!TestServers.InCi && TestServers.PostgreSqlUnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A fact that needs the S3-compatible test server: skipped with the reason where none is available, run under <c>CI=true</c>.</summary>
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute()
    {
        if (!TestServers.InCi && TestServers.S3UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that needs the S3-compatible test server: skipped with the reason where none is available, run under <c>CI=true</c>.</summary>
public sealed class S3TheoryAttribute : TheoryAttribute
{
    public S3TheoryAttribute()
    {
        if (!TestServers.InCi && TestServers.S3UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>Marks a test class whose tests need the PostgreSQL test server (read by <see cref="ServerFactAttribute"/>).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgreSqlAttribute : Attribute;

/// <summary>Marks a test class whose tests need the S3-compatible test server (read by <see cref="ServerFactAttribute"/>).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresS3Attribute : Attribute;

/// <summary>
/// A fact of an abstract contract suite, declared once and run by one derived class per backend: skipped with the reason
/// when the derived class is marked <see cref="RequiresPostgreSqlAttribute"/> or <see cref="RequiresS3Attribute"/> and
/// that server is unavailable, except under <c>CI=true</c>. (An attribute on the base method cannot know the class it
/// runs in; the discoverer can.)
/// </summary>
[Xunit.Sdk.XunitTestCaseDiscoverer("Microservice.Kit.Tests.Infrastructure.ServerFactDiscoverer", "Microservice.Kit.Tests")]
public sealed class ServerFactAttribute : FactAttribute;

/// <summary>The theory counterpart of <see cref="ServerFactAttribute"/>.</summary>
[Xunit.Sdk.XunitTestCaseDiscoverer("Microservice.Kit.Tests.Infrastructure.ServerTheoryDiscoverer", "Microservice.Kit.Tests")]
public sealed class ServerTheoryAttribute : TheoryAttribute;

internal static class ServerRequirements
{
    public static string? SkipReason(Xunit.Abstractions.ITestMethod method)
    {
        if (TestServers.InCi)
        {
            return null;
        }

        var type = method.TestClass.Class;
        if (type.GetCustomAttributes(typeof(RequiresPostgreSqlAttribute)).Any() && TestServers.PostgreSqlUnavailableReason is { } postgres)
        {
            return postgres;
        }

        return type.GetCustomAttributes(typeof(RequiresS3Attribute)).Any() ? TestServers.S3UnavailableReason : null;
    }
}

/// <summary>Discovers <see cref="ServerFactAttribute"/> tests, skipped when the class's server is unavailable.</summary>
public sealed class ServerFactDiscoverer(Xunit.Abstractions.IMessageSink diagnosticMessageSink) : Xunit.Sdk.FactDiscoverer(diagnosticMessageSink)
{
    protected override Xunit.Sdk.IXunitTestCase CreateTestCase(
        Xunit.Abstractions.ITestFrameworkDiscoveryOptions discoveryOptions, Xunit.Abstractions.ITestMethod testMethod, Xunit.Abstractions.IAttributeInfo factAttribute) =>
        ServerRequirements.SkipReason(testMethod) is { } reason
            ? new SkippedServerTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)
            : base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
}

/// <summary>Discovers <see cref="ServerTheoryAttribute"/> tests, skipped when the class's server is unavailable.</summary>
public sealed class ServerTheoryDiscoverer(Xunit.Abstractions.IMessageSink diagnosticMessageSink) : Xunit.Sdk.TheoryDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<Xunit.Sdk.IXunitTestCase> Discover(
        Xunit.Abstractions.ITestFrameworkDiscoveryOptions discoveryOptions, Xunit.Abstractions.ITestMethod testMethod, Xunit.Abstractions.IAttributeInfo theoryAttribute) =>
        ServerRequirements.SkipReason(testMethod) is { } reason
            ? [new SkippedServerTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, theoryAttribute);
}

/// <summary>A test case skipped because the server its class needs is unavailable.</summary>
public sealed class SkippedServerTestCase : Xunit.Sdk.XunitTestCase
{
    private string _reason = "";

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public SkippedServerTestCase()
    {
    }

    public SkippedServerTestCase(
        Xunit.Abstractions.IMessageSink diagnosticMessageSink, Xunit.Sdk.TestMethodDisplay display, Xunit.Sdk.TestMethodDisplayOptions options,
        Xunit.Abstractions.ITestMethod testMethod, string reason)
        : base(diagnosticMessageSink, display, options, testMethod) => _reason = reason;

    protected override string GetSkipReason(Xunit.Abstractions.IAttributeInfo factAttribute) => _reason;

    public override void Serialize(Xunit.Abstractions.IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("SkipReason", _reason);
    }

    public override void Deserialize(Xunit.Abstractions.IXunitSerializationInfo data)
    {
        base.Deserialize(data);
        _reason = data.GetValue<string>("SkipReason");
    }
}

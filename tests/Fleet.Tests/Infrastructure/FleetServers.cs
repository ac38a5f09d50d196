using System.Diagnostics;
using System.Net.Sockets;
using System.Reflection;

namespace Fleet.Tests.Infrastructure;

/// <summary>
/// The fleet's own PostgreSQL cluster and S3 test server (eng/servers/postgres.sh, eng/servers/s3.sh), never the shared
/// ones in <c>KIT_TEST_POSTGRES</c>/<c>KIT_TEST_S3</c>: the outage tests stop them (<c>halt</c>) and start them again on
/// the same port with their data (<c>resume</c>).
/// </summary>
public sealed class FleetServers : IAsyncDisposable
{
    private readonly string _directory;

    private FleetServers(string directory, string postgreSql, Uri s3)
    {
        _directory = directory;
        PostgreSqlAdmin = postgreSql;
        S3ServiceUrl = s3;
    }

    /// <summary>The superuser connection string (database <c>postgres</c>).</summary>
    public string PostgreSqlAdmin { get; }

    public Uri S3ServiceUrl { get; }

    public static string RepositoryRoot =>
        typeof(FleetServers).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public static async Task<FleetServers> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"kit-fleet-servers-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        if (OperatingSystem.IsLinux())
        {
            // The cluster runs as the postgres user, which must reach its directory.
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        }

        var postgres = await ScriptAsync("postgres.sh", "start", Path.Combine(directory, "postgres"));
        string s3;
        try
        {
            s3 = await ScriptAsync("s3.sh", "start", Path.Combine(directory, "s3"));
        }
        catch (InvalidOperationException)
        {
            // Nothing owns the cluster yet: stop it (and whatever the failed start left) before reporting the failure.
            await ScriptAsync("s3.sh", "stop", Path.Combine(directory, "s3"));
            await ScriptAsync("postgres.sh", "stop", Path.Combine(directory, "postgres"));
            throw;
        }

        return new FleetServers(
            directory,
            Value(postgres, "KIT_TEST_POSTGRES"),
            new Uri(Value(s3, "KIT_TEST_S3")));
    }

    /// <summary>Runs SQL as the superuser (psql, so that the test needs no database driver).</summary>
    public async Task SqlAsync(string database, string sql)
    {
        var portNumber = PostgreSqlAdmin.Split(';').Single(p => p.StartsWith("Port=", StringComparison.Ordinal))["Port=".Length..];
        await RunAsync("psql", "-v", "ON_ERROR_STOP=1", "-q", "-h", "127.0.0.1", "-p", portNumber, "-U", "postgres", "-d", database, "-c", sql);
    }

    public string ConnectionString(string database) => PostgreSqlAdmin.Replace("Database=postgres", "Database=" + database, StringComparison.Ordinal);

    public async Task CreateBucketAsync(string bucket)
    {
        using var client = new HttpClient { BaseAddress = S3ServiceUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await client.PutAsync(new Uri(bucket, UriKind.Relative), content: null);
        response.EnsureSuccessStatusCode();
    }

    public Task HaltPostgreSqlAsync() => ScriptAsync("postgres.sh", "halt", Path.Combine(_directory, "postgres"));

    public Task ResumePostgreSqlAsync() => ScriptAsync("postgres.sh", "resume", Path.Combine(_directory, "postgres"));

    public Task HaltS3Async() => ScriptAsync("s3.sh", "halt", Path.Combine(_directory, "s3"));

    public Task ResumeS3Async() => ScriptAsync("s3.sh", "resume", Path.Combine(_directory, "s3"));

    /// <summary>A port nothing listens on now, for a process whose address must stay the same across restarts.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await ScriptAsync("s3.sh", "stop", Path.Combine(_directory, "s3"));
        await ScriptAsync("postgres.sh", "stop", Path.Combine(_directory, "postgres"));
        Directory.Delete(_directory, recursive: true);
    }

    private static string Value(string output, string variable) =>
        output.Split('\n').Single(line => line.StartsWith(variable + "=", StringComparison.Ordinal))[(variable.Length + 1)..].Trim();

    private static Task<string> ScriptAsync(string script, params string[] arguments) =>
        RunAsync("bash", [Path.Combine(RepositoryRoot, "eng", "servers", script), .. arguments]);

    private static async Task<string> RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {(await error).Trim()}");
        }

        return output;
    }
}

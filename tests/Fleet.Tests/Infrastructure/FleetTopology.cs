using System.Reflection;
using System.Text.Json;

namespace Fleet.Tests.Infrastructure;

/// <summary>
/// The topology of docs/scale.md, started once for the whole suite: a private PostgreSQL cluster and S3 test server, two
/// Employees replicas (A and B) sharing them, the gateway in front of A and B, and Library calling Employees through the
/// gateway. Fault tests disturb it and leave it as they found it (<see cref="EnsureWholeAsync"/>).
/// </summary>
public sealed class FleetTopology : IAsyncLifetime
{
    public const string Bucket = "employees";

    /// <summary>How often the gateway probes each replica's readiness (samples/Gateway/appsettings.json).</summary>
    public static readonly TimeSpan HealthInterval = TimeSpan.FromSeconds(2);

    /// <summary>The key ring's activation delay the replicas run with: a rotated key signs only this long after it is made.</summary>
    public static readonly TimeSpan KeyActivationDelay = TimeSpan.FromSeconds(8);

    public FleetServers Servers { get; private set; } = null!;

    public FleetProcess A { get; private set; } = null!;

    public FleetProcess B { get; private set; } = null!;

    public FleetProcess Gateway { get; private set; } = null!;

    public FleetProcess Library { get; private set; } = null!;

    /// <summary>A token of the seeded <c>admin</c> (every permission), issued by A.</summary>
    public string AdminToken { get; private set; } = null!;

    private readonly string _keyEncryptionKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private string _dataRoot = null!;

    public async Task InitializeAsync()
    {
        if (FleetFactAttribute.UnavailableReason is not null)
        {
            return; // every test is skipped with the reason
        }

        _dataRoot = Path.Combine(Path.GetTempPath(), $"kit-fleet-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dataRoot);
        Servers = await FleetServers.StartAsync();
        await Servers.SqlAsync("postgres", "CREATE DATABASE employees");
        await Servers.SqlAsync("postgres", "CREATE DATABASE library");
        await Servers.CreateBucketAsync(Bucket);

        int aPort = FleetServers.FreePort(), bPort = FleetServers.FreePort(), gatewayPort = FleetServers.FreePort(), libraryPort = FleetServers.FreePort();
        A = new FleetProcess("employees-a", Dll("Employees.Service"), aPort, Replica("a"), "/health/ready");
        B = new FleetProcess("employees-b", Dll("Employees.Service"), bPort, Replica("b"), "/health/ready");
        Gateway = new FleetProcess("gateway", Dll("Gateway"), gatewayPort, new Dictionary<string, string?>
        {
            ["ReverseProxy__Clusters__employees__Destinations__a__Address"] = A.BaseAddress.ToString(),
            ["ReverseProxy__Clusters__employees__Destinations__b__Address"] = B.BaseAddress.ToString(),
            // A failed probe's stack trace every 2 s would bury the health changes, which YARP logs as warnings of their own.
            ["Logging__LogLevel__Yarp.ReverseProxy.Health.ActiveHealthCheckMonitor"] = "Error",
        }, "/gateway/destinations");
        Library = new FleetProcess("library", Dll("Library.Service"), libraryPort, new Dictionary<string, string?>
        {
            ["ConnectionStrings__Library"] = Servers.ConnectionString("library"),
            ["Library__DataDirectory"] = Path.Combine(_dataRoot, "library"),
            ["Library__EmployeesBaseAddress"] = Gateway.BaseAddress.ToString(),
            // Library learns a rotated key from the JWKS within this interval, or at once on an unknown kid.
            ["MicroserviceKit__Tokens__JwksRefreshInterval"] = "00:00:03",
            ["MicroserviceKit__Tokens__JwksMinimumRefreshInterval"] = "00:00:01",
        }, "/health/ready");

        // One after the other: the first replica creates the schema, the admin user and the signing key; the second finds them.
        await A.StartAsync();
        await B.StartAsync();
        await Gateway.StartAsync();
        await Library.StartAsync();
        using var a = A.CreateClient();
        AdminToken = await a.GetTokenAsync(Api.AdminUser, Api.DevAdminPassword);
        await WaitForGatewayAsync(TimeSpan.FromSeconds(60), d => d["a"] && d["b"], "both replicas available");
    }

    /// <summary>
    /// The environment of a replica: the shared database and bucket, the key that encrypts the signing keys in the database
    /// (the same on every replica), a data directory of its own (nothing in it may matter once the shared backends are
    /// on), cheap password hashes so that sign-ins do not dominate the suite, and a short key-ring refresh and activation
    /// delay (longer than the key-ring refresh plus the JWKS refresh, as the options require) so that a rotation completes
    /// within a test.
    /// </summary>
    private Dictionary<string, string?> Replica(string name) => new()
    {
        ["ConnectionStrings__Employees"] = Servers.ConnectionString("employees"),
        ["Employees__Storage__ServiceUrl"] = Servers.S3ServiceUrl.ToString().TrimEnd('/'),   // as eng/fleet.sh writes it
        ["Employees__Storage__Bucket"] = Bucket,
        ["AWS_ACCESS_KEY_ID"] = "S3RVER",          // s3rver knows only its own key; it does not check signatures
        ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
        ["AWS_REGION"] = "us-east-1",
        ["Employees__DataDirectory"] = Path.Combine(_dataRoot, name),
        ["Employees__PasswordIterations"] = "10000",
        // The rotation test signs in as admin every half second on both replicas; the default 20 per minute per user
        // name is a defence against guessing that this suite is not testing.
        ["MicroserviceKit__Tokens__SignIn__PermitsPerUserName"] = "10000",
        ["MicroserviceKit__Tokens__SignIn__PermitsPerAddress"] = "10000",
        ["MicroserviceKit__Tokens__PostgreSql__EncryptionKey"] = _keyEncryptionKey,
        ["MicroserviceKit__Tokens__KeyRingRefreshInterval"] = "00:00:02",
        ["MicroserviceKit__Tokens__KeyActivationDelay"] = "00:00:08",
        ["MicroserviceKit__Tokens__JwksRefreshInterval"] = "00:00:03",
        ["MicroserviceKit__Tokens__JwksMinimumRefreshInterval"] = "00:00:01",
    };

    /// <summary>Restarts whatever a fault test left stopped and waits until the gateway routes to both replicas again.</summary>
    public async Task EnsureWholeAsync()
    {
        foreach (var process in new[] { A, B, Gateway, Library })
        {
            if (!process.IsRunning)
            {
                await process.StartAsync();
            }
        }

        await WaitForGatewayAsync(TimeSpan.FromSeconds(60), d => d["a"] && d["b"], "both replicas available");
    }

    /// <summary>The gateway's view of each replica: whether it routes to it now.</summary>
    public async Task<Dictionary<string, bool>> DestinationsAsync()
    {
        using var gateway = Gateway.CreateClient();
        gateway.Timeout = TimeSpan.FromSeconds(10);
        var body = JsonNode.Parse(await gateway.GetStringAsync(new Uri("/gateway/destinations", UriKind.Relative)))!;
        return body[0]!["destinations"]!.AsArray().ToDictionary(d => d!["id"]!.GetValue<string>(), d => d!["available"]!.GetValue<bool>());
    }

    /// <summary>How many requests the gateway has had answered by a replica.</summary>
    public async Task<long> AnsweredByAsync(string destination)
    {
        using var gateway = Gateway.CreateClient();
        var body = JsonNode.Parse(await gateway.GetStringAsync(new Uri("/gateway/destinations", UriKind.Relative)))!;
        return body[0]!["destinations"]!.AsArray().Single(d => d!["id"]!.GetValue<string>() == destination)!["answered"]!.GetValue<long>();
    }

    /// <summary>Polls the gateway until <paramref name="condition"/> holds; returns how long that took.</summary>
    public async Task<TimeSpan> WaitForGatewayAsync(TimeSpan timeout, Func<Dictionary<string, bool>, bool> condition, string what, FleetProcess? about = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Dictionary<string, bool>? last = null;
        while (clock.Elapsed < timeout)
        {
            last = await DestinationsAsync();
            if (condition(last))
            {
                return clock.Elapsed;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the gateway did not reach '{what}' within {timeout.TotalSeconds} s; last: {JsonSerializer.Serialize(last)}"
            + $"{(about is null ? "" : $"; {about.Name} running: {about.IsRunning}\n{about.Output}")}\n{Gateway.Output}");
    }

    public string Logs => string.Join('\n', A.Output, B.Output, Gateway.Output, Library.Output);

    public async Task DisposeAsync()
    {
        foreach (var process in new[] { Library, Gateway, B, A })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        if (Servers is not null)
        {
            await Servers.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
        catch (IOException)
        {
            // A replica killed mid-write may leave a file being released; the temp folder is cleaned by the system.
        }
    }

    private static string Dll(string project)
    {
        var metadata = typeof(FleetTopology).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        return Path.Combine(metadata["RepositoryRoot"]!, "samples", project, "bin", metadata["SamplesConfiguration"]!, metadata["SamplesTargetFramework"]!, project + ".dll");
    }
}

/// <summary>Every test class of the suite shares one fleet and runs one after the other (fault tests disturb it).</summary>
[CollectionDefinition(Name)]
public sealed class FleetGroup : ICollectionFixture<FleetTopology>
{
    public const string Name = "fleet";
}

using System.Collections.Concurrent;
using Microservice.Kit.Tests.Infrastructure;

namespace Samples.Tests.Infrastructure;

/// <summary>
/// <c>KIT_SAMPLES_BACKEND=shared</c> runs every sample process on the shared backends instead of the embedded ones: a
/// database of its own on the test PostgreSQL server (<c>ConnectionStrings__Employees</c>, <c>ConnectionStrings__Library</c>)
/// and, for Employees, a bucket of its own on the test S3 server (<c>Employees__Storage__*</c> and the AWS variables).
/// <c>embedded</c> (the default) changes nothing. The same suite then proves the same HTTP contract on both.
/// </summary>
/// <remarks>
/// "Of its own" is per data directory, not per launch: a test that restarts a sample on the same data directory (to
/// prove what survives a restart) must find the same database and bucket again.
/// </remarks>
public static class SharedBackend
{
    public const string Variable = "KIT_SAMPLES_BACKEND";

    private static readonly ConcurrentDictionary<string, Lazy<Dictionary<string, string?>>> Settings = new(StringComparer.Ordinal);

    /// <summary>Whether this run uses the shared backends; a value other than <c>embedded</c> or <c>shared</c> fails the run.</summary>
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable(Variable) switch
    {
        null or "" or "embedded" => false,
        "shared" => true,
        var other => throw new InvalidOperationException($"{Variable} must be 'embedded' or 'shared', not '{other}'."),
    };

    /// <summary>The settings a sample process gets on the shared backends (empty when not <see cref="Enabled"/>).</summary>
    public static IReadOnlyDictionary<string, string?> For(Sample sample, IReadOnlyDictionary<string, string?> environment, string? workingDirectory)
    {
        if (!Enabled)
        {
            return new Dictionary<string, string?>();
        }

        var dataDirectory = environment.GetValueOrDefault($"{sample}__DataDirectory") ?? workingDirectory ?? "(output folder)";
        return Settings.GetOrAdd($"{sample}|{dataDirectory}", _ => new Lazy<Dictionary<string, string?>>(() => Create(sample))).Value;
    }

    /// <summary>The connection string the process was given, or <see langword="null"/> when not <see cref="Enabled"/>.</summary>
    public static string? ConnectionStringOf(Sample sample, IReadOnlyDictionary<string, string?> settings) =>
        settings.GetValueOrDefault($"ConnectionStrings__{sample}");

    /// <summary>
    /// Fails when a sample given a database did not use it: it migrates on start, so its database must have the kit's
    /// migration history. Without this check a sample that ignored the setting would pass the shared run on LiteDB.
    /// </summary>
    public static async Task VerifyInUseAsync(Sample sample, IReadOnlyDictionary<string, string?> settings)
    {
        if (ConnectionStringOf(sample, settings) is not { } connectionString)
        {
            return;
        }

        await using var database = Npgsql.NpgsqlDataSource.Create(connectionString);
        await using var command = database.CreateCommand("SELECT to_regclass('kit_migrations') IS NOT NULL");
        if (await command.ExecuteScalarAsync() is not true)
        {
            throw new InvalidOperationException(
                $"{Variable}=shared, but {sample} created no tables in the database it was given: it does not read ConnectionStrings__{sample}.");
        }
    }

    private static Dictionary<string, string?> Create(Sample sample)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"ConnectionStrings__{sample}"] = TestServers.CreatePostgreSqlDatabase(sample.ToString().ToLowerInvariant()),
        };
        if (sample == Sample.Employees)
        {
            // The signing-key ring is in the database too; its private keys are encrypted with a key every replica shares.
            settings["MicroserviceKit__Tokens__PostgreSql__EncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            // Runs once per data directory, from a synchronous process launch: blocking here costs one bucket creation.
            settings["Employees__Storage__ServiceUrl"] = TestServers.S3ServiceUrl.ToString();
            settings["Employees__Storage__Bucket"] = TestServers.CreateS3BucketAsync("employees").GetAwaiter().GetResult();
            settings["AWS_ACCESS_KEY_ID"] = "S3RVER";            // s3rver knows only its own key (403 InvalidAccessKeyId otherwise); the signature is not checked
            settings["AWS_SECRET_ACCESS_KEY"] = "S3RVER";
            settings["AWS_REGION"] = "us-east-1";
        }

        return settings;
    }
}

/// <summary>
/// A fact about what the embedded backends keep on the disk (the LiteDB file and its modes, its contents, its folder):
/// skipped when the samples run on the shared backends, where the records are in PostgreSQL.
/// </summary>
public sealed class EmbeddedBackendFactAttribute : FactAttribute
{
    public EmbeddedBackendFactAttribute()
    {
        if (SharedBackend.Enabled)
        {
            Skip = "About the embedded backends' files on the disk; KIT_SAMPLES_BACKEND=shared keeps the records in PostgreSQL.";
        }
    }
}

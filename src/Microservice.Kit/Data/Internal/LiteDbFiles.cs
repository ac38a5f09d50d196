using LiteDB;

namespace Microservice.Kit.Data.Internal;

/// <summary>An open database and who holds it.</summary>
internal sealed class SharedDatabase(string? path, LiteDatabase database, int maxConcurrentOperations, bool readOnly)
{
    public string? Path { get; } = path;

    public LiteDatabase Database { get; } = database;

    public SemaphoreSlim Gate { get; } = new(maxConcurrentOperations, maxConcurrentOperations);

    public bool ReadOnly { get; } = readOnly;

    public int References { get; set; } = 1;
}

/// <summary>
/// Keeps one <see cref="LiteDatabase"/> per file for the whole process. LiteDB opens its file for exclusive writing,
/// so a second instance on the same file (a second host in the same process, a test) would fail or, in shared mode,
/// serialize every call through a system mutex.
/// </summary>
internal static class LiteDbFiles
{
    private static readonly Dictionary<string, SharedDatabase> Databases = new(StringComparer.Ordinal);
    private static readonly Lock Sync = new();

    public static ConnectionString Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ConnectionString parsed;
        try
        {
            parsed = new ConnectionString(connectionString);
        }
        catch (Exception exception) when (exception is LiteException or ArgumentException or FormatException or InvalidCastException or IndexOutOfRangeException or KeyNotFoundException)
        {
            throw new ArgumentException("is not a valid LiteDB connection string: " + exception.Message, nameof(connectionString), exception);
        }

        if (string.IsNullOrWhiteSpace(parsed.Filename))
        {
            throw new ArgumentException("names no file: use 'Filename=<path>' or ':memory:'", nameof(connectionString));
        }

        if (parsed.Connection != ConnectionType.Direct)
        {
            throw new ArgumentException("must use Connection=direct (the default): shared mode reopens the file on every call", nameof(connectionString));
        }

        return parsed;
    }

    public static SharedDatabase Open(string connectionString, int maxConcurrentOperations)
    {
        var parsed = Parse(connectionString);
        if (IsInMemory(parsed.Filename))
        {
            return new SharedDatabase(null, new LiteDatabase(parsed), maxConcurrentOperations, parsed.ReadOnly);
        }

        var path = Path.GetFullPath(parsed.Filename);
        lock (Sync)
        {
            if (Databases.TryGetValue(path, out var shared))
            {
                shared.References++;
                return shared;
            }

            var directory = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            parsed.Filename = path;
            shared = new SharedDatabase(path, new LiteDatabase(parsed), maxConcurrentOperations, parsed.ReadOnly);
            Databases[path] = shared;
            return shared;
        }
    }

    public static void Release(SharedDatabase shared)
    {
        if (shared.Path is not null)
        {
            lock (Sync)
            {
                if (--shared.References > 0)
                {
                    return;
                }

                Databases.Remove(shared.Path);
            }
        }

        try
        {
            // Dispose checkpoints too, but only when nothing else is in flight; doing it explicitly first means a
            // clean shutdown always leaves the data file complete and the -log file empty.
            if (shared.Path is not null && !shared.ReadOnly)
            {
                shared.Database.Checkpoint();
            }
        }
        finally
        {
            shared.Database.Dispose();
            shared.Gate.Dispose();
        }
    }

    private static bool IsInMemory(string filename) =>
        string.Equals(filename, ":memory:", StringComparison.OrdinalIgnoreCase) || string.Equals(filename, ":temp:", StringComparison.OrdinalIgnoreCase);
}

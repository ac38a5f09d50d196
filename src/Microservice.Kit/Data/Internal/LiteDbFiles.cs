using LiteDB;
using LiteDB.Engine;
using Microsoft.Extensions.Logging;
using OwnerOnly = Microservice.Kit.Hosting.Internal.OwnerOnly;

namespace Microservice.Kit.Data.Internal;

/// <summary>An open database and who holds it.</summary>
internal sealed class SharedDatabase(string? path, LiteDatabase database, ReopenableEngine? engine, int maxConcurrentOperations, bool readOnly) : IDisposable
{
    /// <summary>
    /// How long a failed reopen keeps the next one from being tried: while the disk is still full every request would
    /// otherwise drain the gate and reopen the file only to fail again.
    /// </summary>
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _recovery = new(1, 1);
    private long _retryAfter;

    public string? Path { get; } = path;

    public LiteDatabase Database { get; } = database;

    public SemaphoreSlim Gate { get; } = new(maxConcurrentOperations, maxConcurrentOperations);

    public bool ReadOnly { get; } = readOnly;

    public int References { get; set; } = 1;

    /// <summary>The error that closed the engine, or <see langword="null"/> while it works (always for an in-memory database).</summary>
    public Exception? Fault => engine?.Fault;

    /// <summary>
    /// Replaces an engine LiteDB closed after an error with a new one on the same file (one caller at a time; the
    /// others wait and find it reopened). Returns at once when the engine works.
    /// </summary>
    /// <exception cref="DatabaseFaultedException">The engine could not be reopened (yet); its inner exception says why.</exception>
    public async ValueTask RecoverAsync(TimeProvider timeProvider, ILogger logger, CancellationToken cancellationToken)
    {
        if (engine is null || engine.Fault is null)
        {
            return;
        }

        await _recovery.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (engine.Fault is not { } fault)
            {
                return; // another caller reopened it while this one waited
            }

            if (timeProvider.GetTimestamp() < Volatile.Read(ref _retryAfter))
            {
                throw new DatabaseFaultedException(fault);
            }

            try
            {
                engine.Reopen();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Volatile.Write(ref _retryAfter, timeProvider.GetTimestamp() + (long)(RetryInterval.TotalSeconds * timeProvider.TimestampFrequency));
                Log.DatabaseReopenFailed(logger, "reopen", "failed", exception.GetType().Name, exception);
                throw new DatabaseFaultedException(exception);
            }

            Log.DatabaseReopened(logger, "reopen", "reopened", fault.GetType().Name);
        }
        finally
        {
            _recovery.Release();
        }
    }

    /// <summary>Closes the database (the caller checkpoints first) and its gates.</summary>
    public void Dispose()
    {
        try
        {
            Database.Dispose();
        }
        catch (IOException)
        {
            // LiteDB's own closing checkpoint met a full disk; as in LiteDbFiles.Release, the log is replayed on the next start.
        }
        finally
        {
            Gate.Dispose();
            _recovery.Dispose();
        }
    }
}

/// <summary>LiteDB closed the database after an error and it could not be reopened yet; the inner exception is the cause.</summary>
internal sealed class DatabaseFaultedException(Exception cause)
    : Exception("The database was closed by a storage error: the operation did not complete.", cause);

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
            return new SharedDatabase(null, new LiteDatabase(parsed), null, maxConcurrentOperations, parsed.ReadOnly);
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
                OwnerOnly.CreateDirectory(directory);
            }

            parsed.Filename = path;
            var engine = new ReopenableEngine(() => OpenEngine(parsed));
            shared = new SharedDatabase(path, new LiteDatabase(engine, mapper: null, disposeOnClose: true), engine, maxConcurrentOperations, parsed.ReadOnly);
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
            // clean shutdown always leaves the data file complete and the -log file empty. A closed engine cannot:
            // the next start replays its log instead.
            if (shared.Path is not null && !shared.ReadOnly && shared.Fault is null)
            {
                shared.Database.Checkpoint();
            }
        }
        catch (IOException)
        {
            // A full disk at shutdown: the log keeps every committed transaction and the next start replays it;
            // throwing from Dispose would only hide whatever the host was reporting.
        }
        finally
        {
            shared.Dispose();
        }
    }

    /// <summary>
    /// Opens the engine the way <c>new LiteDatabase(connectionString)</c> does, after creating the data and log files
    /// owner-only (0600): LiteDB creates them with the default mode (0644 under the usual umask), and they hold
    /// everything the service stores, password hashes included.
    /// </summary>
    private static LiteEngine OpenEngine(ConnectionString connection)
    {
        if (!connection.ReadOnly)
        {
            OwnerOnly.CreateFileIfMissing(connection.Filename);
            OwnerOnly.CreateFileIfMissing(LogFileOf(connection.Filename));
        }

        return new LiteEngine(new EngineSettings
        {
            Filename = connection.Filename,
            Password = connection.Password,
            InitialSize = connection.InitialSize,
            ReadOnly = connection.ReadOnly,
            Collation = connection.Collation,
            Upgrade = connection.Upgrade,
            AutoRebuild = connection.AutoRebuild,
        });
    }

    /// <summary>LiteDB's write-ahead log beside the data file: <c>app.db</c> has <c>app-log.db</c>.</summary>
    internal static string LogFileOf(string dataFile) =>
        System.IO.Path.Join(System.IO.Path.GetDirectoryName(dataFile), System.IO.Path.GetFileNameWithoutExtension(dataFile) + "-log" + System.IO.Path.GetExtension(dataFile));

    private static bool IsInMemory(string filename) =>
        string.Equals(filename, ":memory:", StringComparison.OrdinalIgnoreCase) || string.Equals(filename, ":temp:", StringComparison.OrdinalIgnoreCase);
}

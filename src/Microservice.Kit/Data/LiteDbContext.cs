using LiteDB;
using Microservice.Kit.Data.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microservice.Kit.Data;

/// <summary>
/// One LiteDB database as the repositories use it: the process-wide <see cref="LiteDatabase"/> of its file, the gate
/// that bounds concurrent operations, the clock and the logger. <c>AddLiteDb()</c> registers one as a singleton;
/// repositories take it in their constructor.
/// </summary>
/// <remarks>
/// <para>However many contexts open the same file in a process, they share one <see cref="LiteDatabase"/> (LiteDB allows only
/// one writer per file); it is checkpointed and closed when the last of them is disposed.</para>
/// <para>LiteDB closes a file database for good after an I/O error such as a full disk. The repositories and the
/// readiness check then reopen it on the same file, so that the service recovers without a restart as soon as space
/// is back; until then they answer 507 (disk full) or 503.</para>
/// </remarks>
public sealed class LiteDbContext : IDisposable
{
    [ThreadStatic]
    private static TransactionScope? t_transaction;

    private readonly SharedDatabase _shared;
    private int _disposed;

    /// <summary>Opens (or joins) the database the options name.</summary>
    /// <param name="options">The connection string and limits.</param>
    /// <param name="timeProvider">The clock for <see cref="IEntity{TId}.CreatedAt"/> and <see cref="IEntity{TId}.UpdatedAt"/>; the system clock when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where operations are logged; nowhere when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The connection string is malformed or asks for <c>Connection=shared</c>.</exception>
    public LiteDbContext(LiteDbOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _shared = LiteDbFiles.Open(options.ConnectionString, options.MaxConcurrentOperations);
        TimeProvider = timeProvider ?? TimeProvider.System;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Microservice.Kit.Data");
        MaxPageSize = options.MaxPageSize;
    }

    /// <summary>
    /// The underlying database, for what the repository contract does not cover (file storage, raw queries). Writes made
    /// here bypass the repositories' versions, validation and concurrency bound.
    /// </summary>
    public ILiteDatabase Database => _shared.Database;

    /// <summary>The full path of the database file, or <see langword="null"/> for an in-memory database.</summary>
    public string? FilePath => _shared.Path;

    internal SemaphoreSlim Gate => _shared.Gate;

    /// <summary>Whether LiteDB closed the engine after an error and it has not been reopened yet.</summary>
    internal bool IsFaulted => _shared.Fault is not null;

    internal bool ReadOnly => _shared.ReadOnly;

    internal TimeProvider TimeProvider { get; }

    internal ILogger Logger { get; }

    internal int MaxPageSize { get; }

    /// <summary>The transaction whose body runs on this thread, if any.</summary>
    internal static TransactionScope? CurrentTransaction
    {
        get => t_transaction;
        set => t_transaction = value;
    }

    /// <summary>Reopens the database if LiteDB closed it after an error.</summary>
    /// <exception cref="DatabaseFaultedException">It could not be reopened (yet).</exception>
    internal ValueTask RecoverAsync(CancellationToken cancellationToken) =>
        _shared.Fault is null ? ValueTask.CompletedTask : _shared.RecoverAsync(TimeProvider, Logger, cancellationToken);

    /// <summary>Releases this context's hold on the database; the last one checkpoints the log into the data file and closes it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            LiteDbFiles.Release(_shared);
        }
    }
}

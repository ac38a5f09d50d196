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
/// However many contexts open the same file in a process, they share one <see cref="LiteDatabase"/> (LiteDB allows only
/// one writer per file); it is checkpointed and closed when the last of them is disposed.
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

    internal TimeProvider TimeProvider { get; }

    internal ILogger Logger { get; }

    internal int MaxPageSize { get; }

    /// <summary>The transaction whose body runs on this thread, if any.</summary>
    internal static TransactionScope? CurrentTransaction
    {
        get => t_transaction;
        set => t_transaction = value;
    }

    /// <summary>Releases this context's hold on the database; the last one checkpoints the log into the data file and closes it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            LiteDbFiles.Release(_shared);
        }
    }
}

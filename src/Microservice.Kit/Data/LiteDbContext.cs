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

    /// <summary>
    /// LiteDB only: runs a body in one LiteDB transaction. Everything it does through
    /// <see cref="LiteDbTransaction.For{TEntity, TId}(IRepository{TEntity, TId})"/> commits when it returns and is rolled back
    /// when it throws. The backend-neutral way to write atomically is <see cref="UnitOfWork"/>.
    /// </summary>
    /// <remarks>
    /// The body must be synchronous: a LiteDB transaction belongs to the thread that began it, and code after an
    /// <c>await</c> may run on another thread, outside the transaction. A body that is an async lambda, or returns a task,
    /// is rejected before anything runs; the repositories' async methods throw when called inside a body. Do the async
    /// work (calls to other services) before or after the transaction. Keep bodies short: the collections they write
    /// stay locked for writers until they return. A body inside another body joins the outer transaction.
    /// </remarks>
    /// <typeparam name="TResult">What the body returns.</typeparam>
    /// <param name="body">The work to do atomically.</param>
    /// <returns>What the body returned.</returns>
    /// <exception cref="ArgumentException">The body is asynchronous.</exception>
    public TResult InTransaction<TResult>(Func<LiteDbTransaction, TResult> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        TransactionScope.EnsureSynchronous(body, typeof(TResult));
        if (CurrentTransaction is { } outer)
        {
            return RunNested(outer, body);
        }

        if (IsFaulted)
        {
            new LiteDbBackend(this).EnsureAvailableAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        Gate.Wait();
        try
        {
            return RunTransaction(body);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Like <see cref="InTransaction{TResult}(Func{LiteDbTransaction, TResult})"/>, for a body that returns nothing.</summary>
    /// <param name="body">The work to do atomically.</param>
    public void InTransaction(Action<LiteDbTransaction> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        TransactionScope.EnsureSynchronous(body, typeof(void));
        InTransaction(tx =>
        {
            body(tx);
            return true;
        });
    }

    /// <summary>
    /// Like <see cref="InTransaction{TResult}(Func{LiteDbTransaction, TResult})"/>, but waits for a concurrency slot
    /// asynchronously; the body still runs synchronously, on one thread.
    /// </summary>
    /// <typeparam name="TResult">What the body returns.</typeparam>
    /// <param name="body">The work to do atomically.</param>
    /// <param name="cancellationToken">Cancels the wait before the transaction begins.</param>
    /// <returns>What the body returned.</returns>
    public async Task<TResult> InTransactionAsync<TResult>(Func<LiteDbTransaction, TResult> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        TransactionScope.EnsureSynchronous(body, typeof(TResult));
        var backend = new LiteDbBackend(this);
        await backend.EnsureAvailableAsync(cancellationToken).ConfigureAwait(false);
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return RunTransaction(body);
        }
        finally
        {
            Gate.Release();
        }
    }

    private TResult RunTransaction<TResult>(Func<LiteDbTransaction, TResult> body)
    {
        const string Operation = "transaction";
        const string Collection = "(transaction)";
        var start = DataMetrics.Enabled ? TimeProvider.GetTimestamp() : 0;
        try
        {
            if (!Database.BeginTrans())
            {
                throw new InvalidOperationException(
                    "A LiteDB transaction opened outside the kit is still open on this thread; commit or roll it back first.");
            }

            var scope = new TransactionScope(this);
            CurrentTransaction = scope;
            TResult result;
            try
            {
                result = body(new LiteDbTransaction(scope));
                if (scope.Failure is { } failure)
                {
                    // LiteDB may already have undone part of the work when an operation failed; committing the rest
                    // would store half of what the body meant.
                    throw new InvalidOperationException("An operation inside the transaction failed, so the transaction was rolled back.", failure);
                }

                Database.Commit();
            }
            catch
            {
                Database.Rollback();
                throw;
            }
            finally
            {
                scope.IsOpen = false;
                CurrentTransaction = null;
            }

            if (start != 0)
            {
                DataMetrics.Record(Collection, Operation, "ok", TimeProvider.GetElapsedTime(start));
            }

            Log.OperationSucceeded(Logger, Operation, Collection, "ok");
            return result;
        }
        catch (Exception exception) when (exception is not Problems.KitException and not OperationCanceledException
            && new LiteDbBackend(this).TranslateException(exception) is { } translated)
        {
            Report(Operation, Collection, start, translated);
            throw translated;
        }
        catch (Exception exception) when (Report(Operation, Collection, start, exception))
        {
            throw;
        }
    }

    private bool Report(string operation, string collection, long start, Exception exception)
    {
        var (status, reason) = DataOutcomes.Of(exception);
        if (start != 0)
        {
            DataMetrics.Record(collection, operation, status, TimeProvider.GetElapsedTime(start));
        }

        if (status == "error" || exception is Problems.KitException { StatusCode: >= 500 })
        {
            Log.OperationFailed(Logger, operation, collection, status, reason, exception);
        }
        else
        {
            Log.OperationRejected(Logger, operation, collection, status, reason);
        }

        return false;
    }

    private TResult RunNested<TResult>(TransactionScope outer, Func<LiteDbTransaction, TResult> body)
    {
        outer.EnsureUsable();
        if (!ReferenceEquals(outer.Context.Database, Database))
        {
            throw new InvalidOperationException("A transaction on another database is running on this thread; LiteDB transactions cannot span databases.");
        }

        return body(new LiteDbTransaction(outer));
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

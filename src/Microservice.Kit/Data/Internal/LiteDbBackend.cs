using LiteDB;
using Microservice.Kit.Data.Backends;
using Microservice.Kit.Problems;
using StorageErrors = Microservice.Kit.Problems.Internal.StorageErrors;

namespace Microservice.Kit.Data.Internal;

/// <summary>
/// The embedded backend: one LiteDB file (<see cref="LiteDbContext"/>), its gate, its recovery after an I/O error, and
/// sessions that are LiteDB transactions on the calling thread.
/// </summary>
internal sealed class LiteDbBackend(LiteDbContext context) : DataBackend
{
    public LiteDbContext Context { get; } = context;

    public override string Name => "litedb";

    public override int MaxPageSize => Context.MaxPageSize;

    public override SemaphoreSlim? ConcurrencyGate => Context.Gate;

    public override bool SupportsSessions => true;

    public override RepositoryBackend<TEntity, TId> CreateRepository<TEntity, TId>(EntityModel<TEntity> model) =>
        new LiteDbRepositoryBackend<TEntity, TId>(Context, model);

    public override ValueTask EnsureAvailableAsync(CancellationToken cancellationToken)
    {
        if (LiteDbContext.CurrentTransaction is not null)
        {
            throw new InvalidOperationException(
                "The repository's async methods cannot run inside a transaction body: use tx.For(repository) in the LiteDB transaction body instead.");
        }

        return Context.IsFaulted ? RecoverAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    public override ValueTask<DataSession> BeginSessionAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!Context.Database.BeginTrans())
        {
            throw new InvalidOperationException(
                "A LiteDB transaction opened outside the kit is still open on this thread; commit or roll it back first.");
        }

        return new ValueTask<DataSession>(new LiteDbSession(Context));
    }

    /// <summary>
    /// A full disk is a 507 (the same request works once space is freed); any other error after which LiteDB closed the
    /// database a 503 (the next operation reopens it); never the path or the operating system's message, which stay in the log.
    /// </summary>
    public override Exception? TranslateException(Exception exception)
    {
        if (StorageErrors.IsDiskFull(exception))
        {
            return new InsufficientStorageException("The storage is full: the change was not saved.", exception);
        }

        return exception is DatabaseFaultedException || Context.IsFaulted
            ? new DependencyUnavailableException("The database is unavailable; it is being reopened.", exception)
            : null;
    }

    private async ValueTask RecoverAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Context.RecoverAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DatabaseFaultedException exception)
        {
            throw TranslateException(exception)!;
        }
    }
}

/// <summary>
/// A LiteDB transaction for a <see cref="UnitOfWork"/>. LiteDB binds a transaction to the thread that began it; every
/// LiteDB operation completes synchronously, so the unit of work never leaves that thread, and this checks it.
/// </summary>
internal sealed class LiteDbSession(LiteDbContext context) : DataSession
{
    private readonly int _threadId = Environment.CurrentManagedThreadId;
    private bool _done;

    public override ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        EnsureThread();
        cancellationToken.ThrowIfCancellationRequested();
        context.Database.Commit();
        _done = true;
        return ValueTask.CompletedTask;
    }

    public void EnsureThread()
    {
        if (Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException("A LiteDB transaction belongs to the thread that began it, and the unit of work left that thread.");
        }
    }

    protected override ValueTask DisposeAsyncCore()
    {
        if (!_done)
        {
            _done = true;
            context.Database.Rollback();
        }

        return ValueTask.CompletedTask;
    }
}

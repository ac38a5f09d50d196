using System.Linq.Expressions;

namespace Microservice.Kit.Data.Internal;

/// <summary>One running transaction body: the database it belongs to and the thread it must stay on.</summary>
internal sealed class TransactionScope(LiteDbContext context)
{
    private readonly int _threadId = Environment.CurrentManagedThreadId;

    public LiteDbContext Context { get; } = context;

    public bool IsOpen { get; set; } = true;

    /// <summary>The first storage error inside the body; the transaction must not commit after one.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Remembers a storage error; always <see langword="false"/>, so that the exception goes on unchanged.</summary>
    public bool Observe(Exception exception)
    {
        if (exception is LiteDB.LiteException || exception.InnerException is LiteDB.LiteException)
        {
            Failure ??= exception;
        }

        return false;
    }

    public void EnsureUsable()
    {
        if (!IsOpen)
        {
            throw new InvalidOperationException("This transaction has ended: use its operations only inside the body passed to InTransaction.");
        }

        if (Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException(
                "A LiteDB transaction belongs to the thread that began it: use its operations on that thread, inside the synchronous body passed to InTransaction.");
        }
    }
}

/// <summary>A repository's operations bound to a running transaction.</summary>
internal sealed class RepositoryTransaction<TEntity, TId>(LiteDbRepository<TEntity, TId> repository, TransactionScope scope)
    : IRepositoryTransaction<TEntity, TId>
    where TEntity : class, IEntity<TId>
{
    public TEntity Add(TEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        scope.EnsureUsable();
        try
        {
            return repository.AddCore(entity);
        }
        catch (Exception exception) when (scope.Observe(exception))
        {
            throw;
        }
    }

    public TEntity? GetById(TId id)
    {
        scope.EnsureUsable();
        try
        {
            return repository.GetCore(id);
        }
        catch (Exception exception) when (scope.Observe(exception))
        {
            throw;
        }
    }

    public TEntity Update(TEntity entity, long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(entity);
        scope.EnsureUsable();
        try
        {
            return repository.UpdateCore(entity, expectedVersion, ownTransaction: false);
        }
        catch (Exception exception) when (scope.Observe(exception))
        {
            throw;
        }
    }

    public bool Delete(TId id, long? expectedVersion = null)
    {
        scope.EnsureUsable();
        try
        {
            return repository.DeleteCore(id, expectedVersion, ownTransaction: false);
        }
        catch (Exception exception) when (scope.Observe(exception))
        {
            throw;
        }
    }

    public bool Exists(TId id)
    {
        scope.EnsureUsable();
        try
        {
            return repository.ExistsCore(id);
        }
        catch (Exception exception) when (scope.Observe(exception))
        {
            throw;
        }
    }

    public long Count(Expression<Func<TEntity, bool>>? filter = null)
    {
        scope.EnsureUsable();
        try
        {
            return repository.CountCore(filter);
        }
        catch (Exception exception) when (scope.Observe(exception))
        {
            throw;
        }
    }

    public TEntity? FindOne(Expression<Func<TEntity, bool>> filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        scope.EnsureUsable();
        try
        {
            return repository.FindOneCore(filter);
        }
        catch (Exception exception) when (scope.Observe(exception))
        {
            throw;
        }
    }

    public IReadOnlyList<TEntity> Find(Expression<Func<TEntity, bool>> filter, int limit = 1000)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        scope.EnsureUsable();
        try
        {
            return repository.FindCore(filter, limit);
        }
        catch (Exception exception) when (scope.Observe(exception))
        {
            throw;
        }
    }

    public IRepositoryTransaction<TOther, TOtherId> Enlist<TOther, TOtherId>(LiteDbRepository<TOther, TOtherId> other)
        where TOther : class, IEntity<TOtherId>
    {
        ArgumentNullException.ThrowIfNull(other);
        scope.EnsureUsable();
        if (!ReferenceEquals(other.Context.Database, scope.Context.Database))
        {
            throw new InvalidOperationException("A transaction spans one database: the repository passed to Enlist uses another one.");
        }

        other.EnsureInitialized(inTransaction: true);
        return new RepositoryTransaction<TOther, TOtherId>(other, scope);
    }
}

using System.Linq.Expressions;
using System.Runtime.CompilerServices;

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

    /// <summary>Waits for a LiteDB call that the backend completed synchronously, as every LiteDB call is.</summary>
    public static void Sync(ValueTask task)
    {
        if (!task.IsCompleted)
        {
            throw new InvalidOperationException("A LiteDB operation did not complete synchronously inside a transaction body.");
        }

        task.GetAwaiter().GetResult();
    }

    /// <inheritdoc cref="Sync(ValueTask)"/>
    public static T Sync<T>(ValueTask<T> task)
    {
        if (!task.IsCompleted)
        {
            throw new InvalidOperationException("A LiteDB operation did not complete synchronously inside a transaction body.");
        }

        return task.GetAwaiter().GetResult();
    }

    public static void EnsureSynchronous(Delegate body, Type resultType)
    {
        if (typeof(Task).IsAssignableFrom(resultType)
            || resultType == typeof(ValueTask)
            || (resultType.IsGenericType && resultType.GetGenericTypeDefinition() == typeof(ValueTask<>))
            || body.Method.IsDefined(typeof(AsyncStateMachineAttribute), inherit: false))
        {
            throw new ArgumentException(
                "The transaction body must be synchronous: a LiteDB transaction belongs to the thread that began it, and code after an await may run on another thread, outside it. Do the async work before or after the transaction.",
                nameof(body));
        }
    }
}

/// <summary>A repository's operations bound to a running LiteDB transaction: the core's rules, LiteDB's storage, synchronously.</summary>
internal sealed class RepositoryTransaction<TEntity, TId>(Repository<TEntity, TId> repository, LiteDbRepositoryBackend<TEntity, TId> backend, TransactionScope scope)
    : IRepositoryTransaction<TEntity, TId>
    where TEntity : class, IEntity<TId>
{
    public TEntity Add(TEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        scope.EnsureUsable();
        try
        {
            TransactionScope.Sync(repository.InsertAsync(entity, session: null, CancellationToken.None));
            return entity;
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
            return backend.Get(id);
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
            TransactionScope.Sync(repository.ReplaceAsync(entity, expectedVersion, session: null, CancellationToken.None));
            return entity;
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
            return TransactionScope.Sync(repository.RemoveAsync(id, expectedVersion, session: null, CancellationToken.None));
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
            return backend.Exists(id);
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
            return backend.Count(filter);
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
            return backend.FindOne(filter);
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
            return backend.Find(filter, limit);
        }
        catch (Exception exception) when (scope.Observe(exception))
        {
            throw;
        }
    }
}

using Microservice.Kit.Data.Internal;

namespace Microservice.Kit.Data;

/// <summary>
/// LiteDB only: one running <see cref="LiteDbContext.InTransaction{TResult}(Func{LiteDbTransaction, TResult})"/> body.
/// <see cref="For{TEntity, TId}(IRepository{TEntity, TId})"/> gives a repository's synchronous operations inside it, so
/// that a body can read, decide and write several collections atomically. On another backend, use <see cref="UnitOfWork"/>.
/// </summary>
public sealed class LiteDbTransaction
{
    private readonly TransactionScope _scope;

    internal LiteDbTransaction(TransactionScope scope) => _scope = scope;

    /// <summary>The operations of a repository of this database inside the transaction.</summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <typeparam name="TId">The id type.</typeparam>
    /// <param name="repository">A repository registered with <c>AddRepository</c> on <c>AddLiteDb</c>.</param>
    /// <returns>Its operations in this transaction.</returns>
    /// <exception cref="InvalidOperationException">The repository stores in another database, or the transaction has ended.</exception>
    public IRepositoryTransaction<TEntity, TId> For<TEntity, TId>(IRepository<TEntity, TId> repository)
        where TEntity : class, IEntity<TId>
    {
        ArgumentNullException.ThrowIfNull(repository);
        _scope.EnsureUsable();
        if (repository is not Repository<TEntity, TId> { Backend: LiteDbRepositoryBackend<TEntity, TId> backend } own
            || !ReferenceEquals(backend.Context.Database, _scope.Context.Database))
        {
            throw new InvalidOperationException("A transaction spans one LiteDB database: the repository passed to For stores in another one.");
        }

        backend.EnsureInitialized(inTransaction: true);
        return new RepositoryTransaction<TEntity, TId>(own, backend, _scope);
    }
}

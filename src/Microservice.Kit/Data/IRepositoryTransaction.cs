using System.Linq.Expressions;

namespace Microservice.Kit.Data;

/// <summary>
/// LiteDB only: the operations of a repository inside <see cref="LiteDbContext.InTransaction{TResult}(Func{LiteDbTransaction, TResult})"/>
/// (from <see cref="LiteDbTransaction.For{TEntity, TId}(IRepository{TEntity, TId})"/>): synchronous, because a LiteDB
/// transaction belongs to the thread that began it. Usable only in the body, on its thread; everything done through it
/// commits when the body returns and is rolled back when it throws. The backend-neutral way to write atomically is
/// <see cref="UnitOfWork"/>.
/// </summary>
/// <typeparam name="TEntity">The entity type.</typeparam>
/// <typeparam name="TId">The id type.</typeparam>
public interface IRepositoryTransaction<TEntity, TId>
    where TEntity : class, IEntity<TId>
{
    /// <summary>Like <see cref="IRepository{TEntity, TId}.AddAsync"/>.</summary>
    /// <param name="entity">The entity; updated in place.</param>
    /// <returns>The same entity.</returns>
    TEntity Add(TEntity entity);

    /// <summary>Like <see cref="IRepository{TEntity, TId}.GetAsync"/>.</summary>
    /// <param name="id">The id.</param>
    /// <returns>The entity or <see langword="null"/>.</returns>
    TEntity? GetById(TId id);

    /// <summary>Like <see cref="IRepository{TEntity, TId}.UpdateAsync(TEntity, long?, CancellationToken)"/>.</summary>
    /// <param name="entity">The entity.</param>
    /// <param name="expectedVersion">The version from <c>If-Match</c>, or <see langword="null"/> to check the entity's own.</param>
    /// <returns>The same entity with its new version.</returns>
    TEntity Update(TEntity entity, long? expectedVersion = null);

    /// <summary>Like <see cref="IRepository{TEntity, TId}.DeleteAsync"/>.</summary>
    /// <param name="id">The id.</param>
    /// <param name="expectedVersion">The version from <c>If-Match</c>, or <see langword="null"/>.</param>
    /// <returns>Whether it was deleted.</returns>
    bool Delete(TId id, long? expectedVersion = null);

    /// <summary>Like <see cref="IRepository{TEntity, TId}.ExistsAsync(TId, CancellationToken)"/>.</summary>
    /// <param name="id">The id.</param>
    /// <returns>Whether it exists.</returns>
    bool Exists(TId id);

    /// <summary>Like <see cref="IRepository{TEntity, TId}.CountAsync"/>.</summary>
    /// <param name="filter">The filter, or <see langword="null"/> for all.</param>
    /// <returns>The count.</returns>
    long Count(Expression<Func<TEntity, bool>>? filter = null);

    /// <summary>Like <see cref="IRepository{TEntity, TId}.FindOneAsync"/>.</summary>
    /// <param name="filter">The filter.</param>
    /// <returns>The entity or <see langword="null"/>.</returns>
    TEntity? FindOne(Expression<Func<TEntity, bool>> filter);

    /// <summary>Like <see cref="IRepository{TEntity, TId}.FindAsync"/>.</summary>
    /// <param name="filter">The filter.</param>
    /// <param name="limit">The most to return.</param>
    /// <returns>The entities.</returns>
    IReadOnlyList<TEntity> Find(Expression<Func<TEntity, bool>> filter, int limit = 1000);
}

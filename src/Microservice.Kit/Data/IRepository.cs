using System.Linq.Expressions;

namespace Microservice.Kit.Data;

/// <summary>
/// Stores entities of one type. Free of storage types so that callers do not change when the backend does: register
/// it with <c>kit.AddRepository&lt;TEntity, TId, TDefinition&gt;()</c> over <c>AddLiteDb()</c> (embedded) or
/// <c>AddPostgreSql()</c>, and inject <see cref="IRepository{TEntity, TId}"/>.
/// </summary>
/// <remarks>
/// Errors are the kit's problem exceptions: <see cref="Problems.ValidationException"/> (400) for an invalid entity or
/// page request, <see cref="Problems.NotFoundException"/> (404) when updating a missing entity,
/// <see cref="ConcurrencyConflictException"/> (412 or 409) for a stale version and <see cref="DuplicateKeyException"/>
/// (409) for a unique-index violation.
/// </remarks>
/// <typeparam name="TEntity">The entity type.</typeparam>
/// <typeparam name="TId">The id type.</typeparam>
public interface IRepository<TEntity, TId>
    where TEntity : class, IEntity<TId>
{
    /// <summary>Validates and stores a new entity, assigning its id (when left default), version 1 and timestamps.</summary>
    /// <param name="entity">The entity; updated in place.</param>
    /// <param name="cancellationToken">Cancels the operation before it starts writing.</param>
    /// <returns>The same entity, with its id, version and timestamps set.</returns>
    Task<TEntity> AddAsync(TEntity entity, CancellationToken cancellationToken = default);

    /// <summary>Validates and stores many new entities in one transaction: all of them or none.</summary>
    /// <param name="entities">The entities; updated in place.</param>
    /// <param name="cancellationToken">Cancels the operation before it starts writing.</param>
    /// <returns>How many were stored.</returns>
    Task<int> AddManyAsync(IEnumerable<TEntity> entities, CancellationToken cancellationToken = default);

    /// <summary>Returns the entity with an id, or <see langword="null"/>.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entity or <see langword="null"/>.</returns>
    Task<TEntity?> GetAsync(TId id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Validates and replaces a stored entity if its stored version is the expected one, then increments the version.
    /// The check and the write are one atomic operation.
    /// </summary>
    /// <param name="entity">The entity as the caller wants it stored; its version and timestamps are updated in place.</param>
    /// <param name="expectedVersion">
    /// The version the client's <c>If-Match</c> named (<see cref="EntityTag.ParseIfMatch(string?)"/>): a stale one fails
    /// with a 412 <see cref="ConcurrencyConflictException"/>. <see langword="null"/> to check <paramref name="entity"/>'s own
    /// <see cref="IEntity{TId}.Version"/> (the one it was read with) instead, which fails with a 409 when another update came first.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation before it starts writing.</param>
    /// <returns>The same entity with its new version.</returns>
    Task<TEntity> UpdateAsync(TEntity entity, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the entity with an id, applies <paramref name="change"/> to it and stores it. This is how an HTTP
    /// <c>PUT</c> replaces: without <paramref name="expectedVersion"/> it is unconditional and the last writer wins
    /// (it never fails because another update came first); with it, the update happens only on that version.
    /// </summary>
    /// <remarks>
    /// This default implementation reads, applies and writes with <see cref="UpdateAsync(TEntity, long?, CancellationToken)"/>;
    /// when the version moved in between and no <paramref name="expectedVersion"/> was given, it reads the entity
    /// again and applies <paramref name="change"/> again, at most 32 times. A backend that can read and write under
    /// one lock (the kit's repositories on LiteDB and PostgreSQL) applies the change exactly once.
    /// </remarks>
    /// <param name="id">The entity's id.</param>
    /// <param name="change">
    /// Sets what the caller replaces on the entity as stored. It may run more than once, on fresh copies, so it
    /// must depend only on its own inputs; it runs synchronously, and inside the store's write lock where there is one.
    /// </param>
    /// <param name="expectedVersion">The version from <c>If-Match</c> (<see cref="EntityTag.ParseIfMatch(string?)"/>), or <see langword="null"/> for an unconditional update.</param>
    /// <param name="cancellationToken">Cancels the operation before it starts writing.</param>
    /// <returns>The entity as stored, with its new version.</returns>
    /// <exception cref="Problems.NotFoundException">There is no entity with the id (404).</exception>
    /// <exception cref="ConcurrencyConflictException">
    /// 412 when <paramref name="expectedVersion"/> is not the stored version; 409 only when an unconditional update
    /// lost to other writers on every attempt of this default implementation.
    /// </exception>
    async Task<TEntity> ModifyAsync(TId id, Action<TEntity> change, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        const int MaxAttempts = 32;
        for (var attempt = 1; ; attempt++)
        {
            var entity = await GetAsync(id, cancellationToken).ConfigureAwait(false)
                ?? throw new Problems.NotFoundException($"{typeof(TEntity).Name} {id} does not exist.");
            if (expectedVersion is { } expected && expected != entity.Version)
            {
                throw new ConcurrencyConflictException(typeof(TEntity).Name, expected, entity.Version, fromPrecondition: true);
            }

            change(entity);
            try
            {
                return await UpdateAsync(entity, expectedVersion, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (expectedVersion is null && attempt < MaxAttempts)
            {
                // Another writer came between the read and the write: an unconditional replace applies to the newer version.
            }
        }
    }

    /// <summary>Deletes the entity with an id, if its version is the expected one.</summary>
    /// <param name="id">The id.</param>
    /// <param name="expectedVersion">The version from <c>If-Match</c>, or <see langword="null"/> to delete whatever version is stored.</param>
    /// <param name="cancellationToken">Cancels the operation before it starts writing.</param>
    /// <returns><see langword="true"/> if it was deleted, <see langword="false"/> if there was none.</returns>
    Task<bool> DeleteAsync(TId id, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Tells whether an entity with an id exists.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether it exists.</returns>
    Task<bool> ExistsAsync(TId id, CancellationToken cancellationToken = default);

    /// <summary>Tells whether any entity matches a filter.</summary>
    /// <param name="filter">The filter, translated to the store's query language (use indexed members).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether one matches.</returns>
    Task<bool> AnyAsync(Expression<Func<TEntity, bool>> filter, CancellationToken cancellationToken = default);

    /// <summary>Counts the entities that match a filter, or all of them.</summary>
    /// <param name="filter">The filter, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The count.</returns>
    Task<long> CountAsync(Expression<Func<TEntity, bool>>? filter = null, CancellationToken cancellationToken = default);

    /// <summary>Returns the first entity that matches a filter, or <see langword="null"/>.</summary>
    /// <param name="filter">The filter.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entity or <see langword="null"/>.</returns>
    Task<TEntity?> FindOneAsync(Expression<Func<TEntity, bool>> filter, CancellationToken cancellationToken = default);

    /// <summary>Returns the entities that match a filter, in id order, at most <paramref name="limit"/> of them.</summary>
    /// <param name="filter">The filter.</param>
    /// <param name="limit">The most to return, at least 1.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entities.</returns>
    Task<IReadOnlyList<TEntity>> FindAsync(Expression<Func<TEntity, bool>> filter, int limit = 1000, CancellationToken cancellationToken = default);

    /// <summary>
    /// Returns one page of the entities that match a filter, in a given order, with the total that match.
    /// A page past the end has no items and the same total.
    /// </summary>
    /// <param name="request">The page (from 1), the page size (1 to the configured maximum), the filter and the order.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page.</returns>
    /// <exception cref="Problems.ValidationException">The page is below 1 or the page size is out of range (400).</exception>
    Task<PageResult<TEntity>> PageAsync(PageRequest<TEntity> request, CancellationToken cancellationToken = default);
}

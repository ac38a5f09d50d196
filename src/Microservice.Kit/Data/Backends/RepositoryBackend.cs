using System.Linq.Expressions;

namespace Microservice.Kit.Data.Backends;

/// <summary>
/// The storage side of one repository: what a backend implements per entity type (<see cref="DataBackend.CreateRepository{TEntity, TId}"/>).
/// The core's repository calls it with entities already validated and stamped, inside the gate, and measures, logs
/// and translates what it does; a backend only stores and reads, atomically where each member says so.
/// </summary>
/// <remarks>
/// <para>Versions: an added entity has <see cref="IEntity{TId}.Version"/> 1 (stamped by the core before
/// <see cref="InsertAsync"/>); each replace stores <c>expected + 1</c> (stamped by the core) and only if the stored
/// version is <c>expected</c>, checked and written atomically. Timestamps are stamped by the core from its
/// <see cref="TimeProvider"/>, truncated to the millisecond; a backend stores them to at least the millisecond and
/// returns them as UTC.</para>
/// <para>Filters and orderings are <see cref="Expression"/>s over the entity; the subset every backend must translate
/// is listed in docs/data.md (comparisons of members, nested members, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>, null
/// checks, <see cref="string.StartsWith(string)"/>, captured values). A backend throws <see cref="NotSupportedException"/>
/// naming the part it cannot translate, which the core answers with a 500 and logs: it is a programming error.</para>
/// </remarks>
/// <typeparam name="TEntity">The entity type.</typeparam>
/// <typeparam name="TId">The id type.</typeparam>
public abstract class RepositoryBackend<TEntity, TId>
    where TEntity : class, IEntity<TId>
{
    /// <summary>Creates the backend for an entity's model.</summary>
    /// <param name="model">The entity's definition.</param>
    protected RepositoryBackend(EntityModel<TEntity> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
    }

    /// <summary>The entity's definition: collection name, indexes, field names for errors.</summary>
    public EntityModel<TEntity> Model { get; }

    /// <summary>
    /// Creates the collection (table) and its declared indexes if missing. Runs once before the host starts serving
    /// (from the kit's start-up tasks) and must be idempotent and safe when several replicas run it at once.
    /// </summary>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <returns>A task that completes when the storage is ready.</returns>
    public abstract ValueTask InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new, validated and stamped entity. When its id is the default of <typeparamref name="TId"/> and the backend
    /// can assign one (<see cref="int"/>, <see cref="long"/>, <see cref="Guid"/>), it assigns a new one and sets it on the
    /// entity; a default <see cref="string"/> id is an <see cref="ArgumentException"/>.
    /// </summary>
    /// <param name="entity">The entity.</param>
    /// <param name="session">The unit of work's session to write in, or <see langword="null"/> to commit on its own.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when it is stored (durably, unless in a session).</returns>
    /// <exception cref="DuplicateKeyException">A unique index (or the id) already has the value; nothing was stored.</exception>
    public abstract ValueTask InsertAsync(TEntity entity, DataSession? session, CancellationToken cancellationToken);

    /// <summary>Stores many new entities (as <see cref="InsertAsync"/> does each) atomically: all of them or none.</summary>
    /// <param name="entities">The entities.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>How many were stored.</returns>
    /// <exception cref="DuplicateKeyException">One would break a unique index; none was stored.</exception>
    public abstract ValueTask<int> InsertManyAsync(IReadOnlyList<TEntity> entities, CancellationToken cancellationToken);

    /// <summary>Reads the entity with an id.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entity, or <see langword="null"/>.</returns>
    public abstract ValueTask<TEntity?> GetAsync(TId id, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the stored entity with the same id if, and only if, its stored version is <paramref name="expectedVersion"/>:
    /// the check and the write are one atomic operation (<c>UPDATE … WHERE id = @id AND version = @expected</c>, or a
    /// read and a write under one lock). The entity's <see cref="IEntity{TId}.Version"/> is already <c>expected + 1</c>
    /// and its <see cref="IEntity{TId}.UpdatedAt"/> stamped; the backend keeps the stored
    /// <see cref="IEntity{TId}.CreatedAt"/> and sets it on the entity.
    /// </summary>
    /// <param name="entity">The entity as it is to be stored.</param>
    /// <param name="expectedVersion">The version that must be stored now.</param>
    /// <param name="session">The unit of work's session, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see cref="WriteOutcome.Written"/>, <see cref="WriteOutcome.NotFound"/>, or <see cref="WriteOutcome.VersionMismatch(long)"/> with the stored version.</returns>
    /// <exception cref="DuplicateKeyException">The new values break a unique index; nothing was written.</exception>
    public abstract ValueTask<WriteOutcome> ReplaceAsync(TEntity entity, long expectedVersion, DataSession? session, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the entity with an id, lets <paramref name="apply"/> change it, and stores the result, with no other write to
    /// that entity in between. <paramref name="apply"/> (from the core) checks the expected version, applies the caller's
    /// change, validates and stamps; when it throws, nothing is written and the exception goes on unchanged.
    /// </summary>
    /// <remarks>
    /// This default reads with <see cref="GetAsync"/> and writes with <see cref="ReplaceAsync"/> on the version it read;
    /// when another write came in between it reads and applies again (at most 32 times), so <paramref name="apply"/> may
    /// run more than once, on fresh copies. A backend that can lock the entity (LiteDB's write lock, PostgreSQL's
    /// <c>SELECT … FOR UPDATE</c>) overrides it to apply exactly once.
    /// </remarks>
    /// <param name="id">The id.</param>
    /// <param name="apply">Changes and stamps the entity as read; receives it with the stored version.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entity as stored, or <see langword="null"/> when there is none with the id.</returns>
    /// <exception cref="ConcurrencyConflictException">Other writers won every attempt (409).</exception>
    public virtual async ValueTask<TEntity?> ModifyAsync(TId id, Action<TEntity> apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apply);
        const int MaxAttempts = 32;
        for (var attempt = 1; ; attempt++)
        {
            var entity = await GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (entity is null)
            {
                return null;
            }

            var stored = entity.Version;
            apply(entity);
            var outcome = await ReplaceAsync(entity, stored, session: null, cancellationToken).ConfigureAwait(false);
            switch (outcome.Status)
            {
                case WriteStatus.Written:
                    return entity;
                case WriteStatus.NotFound:
                    return null;
                case WriteStatus.VersionMismatch when attempt >= MaxAttempts:
                    throw new ConcurrencyConflictException(Model.EntityName, stored, outcome.CurrentVersion, fromPrecondition: false);
                default:
                    continue; // another writer came between the read and the write: apply to the newer version
            }
        }
    }

    /// <summary>
    /// Deletes the entity with an id; with <paramref name="expectedVersion"/>, only if that version is stored, checked and
    /// deleted atomically.
    /// </summary>
    /// <param name="id">The id.</param>
    /// <param name="expectedVersion">The version that must be stored, or <see langword="null"/> for any.</param>
    /// <param name="session">The unit of work's session, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see cref="WriteOutcome.Written"/>, <see cref="WriteOutcome.NotFound"/>, or <see cref="WriteOutcome.VersionMismatch(long)"/>.</returns>
    public abstract ValueTask<WriteOutcome> DeleteAsync(TId id, long? expectedVersion, DataSession? session, CancellationToken cancellationToken);

    /// <summary>Tells whether an entity with an id exists.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Whether it exists.</returns>
    public abstract ValueTask<bool> ExistsAsync(TId id, CancellationToken cancellationToken);

    /// <summary>Tells whether any entity matches a filter.</summary>
    /// <param name="filter">The filter.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Whether one matches.</returns>
    public abstract ValueTask<bool> AnyAsync(Expression<Func<TEntity, bool>> filter, CancellationToken cancellationToken);

    /// <summary>Counts the entities that match a filter, or all.</summary>
    /// <param name="filter">The filter, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The count.</returns>
    public abstract ValueTask<long> CountAsync(Expression<Func<TEntity, bool>>? filter, CancellationToken cancellationToken);

    /// <summary>Returns the matching entity with the lowest id, or <see langword="null"/>.</summary>
    /// <param name="filter">The filter.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entity or <see langword="null"/>.</returns>
    public abstract ValueTask<TEntity?> FindOneAsync(Expression<Func<TEntity, bool>> filter, CancellationToken cancellationToken);

    /// <summary>Returns the matching entities in id order, at most <paramref name="limit"/> (at least 1).</summary>
    /// <param name="filter">The filter.</param>
    /// <param name="limit">The most to return.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entities.</returns>
    public abstract ValueTask<IReadOnlyList<TEntity>> FindAsync(Expression<Func<TEntity, bool>> filter, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Returns one page (already validated: page ≥ 1, size within <see cref="DataBackend.MaxPageSize"/>) and the total that
    /// match, both from one consistent snapshot. Without <see cref="PageRequest{TEntity}.OrderBy"/> the order is by id.
    /// </summary>
    /// <param name="request">The page, filter and order.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The page.</returns>
    public abstract ValueTask<PageResult<TEntity>> PageAsync(PageRequest<TEntity> request, CancellationToken cancellationToken);
}

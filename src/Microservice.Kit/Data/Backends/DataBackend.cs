namespace Microservice.Kit.Data.Backends;

/// <summary>
/// One database as the kit's repositories use it: what a provider package (LiteDB in the core,
/// <c>Microservice.Kit.PostgreSql</c>) implements once per database. Register it with
/// <c>kit.AddDataBackend(...)</c>; each <c>AddRepository</c> then asks it for a <see cref="RepositoryBackend{TEntity, TId}"/>.
/// </summary>
/// <remarks>
/// <para>A backend stores and reads; the core does everything else around each call, once for every backend: it
/// validates entities, stamps <see cref="IEntity{TId}.Version"/>, <see cref="IEntity{TId}.CreatedAt"/> and
/// <see cref="IEntity{TId}.UpdatedAt"/>, waits on <see cref="ConcurrencyGate"/>, checks page requests against
/// <see cref="MaxPageSize"/>, records metrics, logs and activities, and turns errors into problem responses.</para>
/// <para>Errors a backend raises: <see cref="DuplicateKeyException"/> for a unique index (naming the field with
/// <see cref="EntityModel{TEntity}.FieldOfIndex(string)"/>), <see cref="Problems.DependencyUnavailableException"/>
/// (503) when the database cannot be reached, <see cref="Problems.InsufficientStorageException"/> (507) when it is
/// full, and <see cref="OperationCanceledException"/> when the caller's token fires. Anything else it throws goes
/// through <see cref="TranslateException(Exception)"/>, and is a 500 if that returns <see langword="null"/>.</para>
/// </remarks>
public abstract class DataBackend
{
    /// <summary>The backend's name for metrics, logs and messages: <c>litedb</c>, <c>postgresql</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The largest page size <c>PageAsync</c> accepts; a larger one is a 400 before the backend is called.</summary>
    /// <value>The default is 100.</value>
    public virtual int MaxPageSize => 100;

    /// <summary>
    /// Bounds how many repository operations run on this database at once (the core waits on it asynchronously before
    /// each call and releases it after), or <see langword="null"/> when the backend bounds itself (a connection pool).
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public virtual SemaphoreSlim? ConcurrencyGate => null;

    /// <summary>Whether <see cref="BeginSessionAsync(CancellationToken)"/> works, so that a <see cref="UnitOfWork"/> can commit here.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public virtual bool SupportsSessions => false;

    /// <summary>
    /// Builds the storage side of one repository; called once per entity type, when the repository is first resolved.
    /// </summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <typeparam name="TId">The id type.</typeparam>
    /// <param name="model">The entity's definition.</param>
    /// <returns>The repository backend.</returns>
    public abstract RepositoryBackend<TEntity, TId> CreateRepository<TEntity, TId>(EntityModel<TEntity> model)
        where TEntity : class, IEntity<TId>;

    /// <summary>
    /// Called before each operation waits on the gate: a backend that can lose its database (LiteDB closes a file after
    /// an I/O error) reopens it here, or throws a 503 <see cref="Problems.DependencyUnavailableException"/> when it cannot yet.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the database can be used.</returns>
    public virtual ValueTask EnsureAvailableAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Begins one atomic session (a database transaction) for a <see cref="UnitOfWork"/>: the writes passed this session
    /// become visible together on <see cref="DataSession.CommitAsync(CancellationToken)"/>, or not at all.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The session.</returns>
    /// <exception cref="NotSupportedException">The backend has no sessions (<see cref="SupportsSessions"/> is <see langword="false"/>).</exception>
    public virtual ValueTask<DataSession> BeginSessionAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException($"The {Name} backend does not support units of work.");

    /// <summary>
    /// Turns a storage error the backend did not translate itself into the kit's exception for it: a 503
    /// <see cref="Problems.DependencyUnavailableException"/> for a lost connection, a 507 for a full disk.
    /// </summary>
    /// <param name="exception">What the backend threw (never a <see cref="Problems.KitException"/> or a cancellation).</param>
    /// <returns>The exception to throw instead, or <see langword="null"/> to let it through (a 500).</returns>
    public virtual Exception? TranslateException(Exception exception) => null;
}

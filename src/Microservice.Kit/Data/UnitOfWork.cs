using System.Diagnostics;
using Microservice.Kit.Data.Backends;
using Microservice.Kit.Data.Internal;
using Microservice.Kit.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Data;

/// <summary>
/// Writes to one or several repositories of the same database that happen together or not at all: the backend-neutral
/// unit of work. Collect adds, updates and deletes, then <see cref="CommitAsync(CancellationToken)"/> runs them in order
/// in one database transaction. Resolve a new one from the services for each unit (it is registered as transient).
/// </summary>
/// <remarks>
/// <para>Reads are not part of the unit: read first, decide, then record the writes with the versions you read. Every
/// update and delete is conditional on a version (the entity's own, or the one given), so a commit fails with a 409
/// <see cref="ConcurrencyConflictException"/> (412 with an explicit version) and stores nothing if another writer came
/// first. Validation and stamping happen at commit, as <see cref="IRepository{TEntity, TId}.AddAsync"/> does them; ids
/// are assigned at commit.</para>
/// <para>Both LiteDB and PostgreSQL honour it. The LiteDB-only alternative that reads inside the transaction is
/// <see cref="LiteDbContext"/>'s synchronous <c>InTransaction</c>.</para>
/// </remarks>
public sealed class UnitOfWork
{
    private readonly DataBackend _database;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<Step> _steps = [];
    private bool _committed;

    internal UnitOfWork(DataBackend database, TimeProvider time, ILogger logger)
    {
        _database = database;
        _time = time;
        _logger = logger;
    }

    /// <summary>How many writes are recorded.</summary>
    public int Count => _steps.Count;

    /// <summary>Records an add (validated, stamped and given its id at commit).</summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <typeparam name="TId">The id type.</typeparam>
    /// <param name="repository">The repository, registered with <c>AddRepository</c> on this service's backend.</param>
    /// <param name="entity">The entity; updated in place at commit.</param>
    /// <returns>This unit of work.</returns>
    /// <exception cref="ArgumentException">The repository is not one of the kit's, or uses another database.</exception>
    public UnitOfWork Add<TEntity, TId>(IRepository<TEntity, TId> repository, TEntity entity)
        where TEntity : class, IEntity<TId>
    {
        ArgumentNullException.ThrowIfNull(entity);
        var own = Own(repository);
        return Record<TEntity, TId>(own, entity, (session, cancellationToken) => own.InsertAsync(entity, session, cancellationToken));
    }

    /// <summary>Records an update, conditional on <paramref name="expectedVersion"/> or else on the entity's own version.</summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <typeparam name="TId">The id type.</typeparam>
    /// <param name="repository">The repository.</param>
    /// <param name="entity">The entity as it is to be stored; its version and timestamps are updated in place at commit.</param>
    /// <param name="expectedVersion">The version from <c>If-Match</c>, or <see langword="null"/> for the entity's own.</param>
    /// <returns>This unit of work.</returns>
    public UnitOfWork Update<TEntity, TId>(IRepository<TEntity, TId> repository, TEntity entity, long? expectedVersion = null)
        where TEntity : class, IEntity<TId>
    {
        ArgumentNullException.ThrowIfNull(entity);
        var own = Own(repository);
        return Record<TEntity, TId>(own, entity, (session, cancellationToken) => own.ReplaceAsync(entity, expectedVersion, session, cancellationToken));
    }

    /// <summary>Records a delete; at commit, a missing entity is a 404 and a stale <paramref name="expectedVersion"/> a 412, and nothing is stored.</summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <typeparam name="TId">The id type.</typeparam>
    /// <param name="repository">The repository.</param>
    /// <param name="id">The id.</param>
    /// <param name="expectedVersion">The version from <c>If-Match</c>, or <see langword="null"/> for any.</param>
    /// <returns>This unit of work.</returns>
    public UnitOfWork Delete<TEntity, TId>(IRepository<TEntity, TId> repository, TId id, long? expectedVersion = null)
        where TEntity : class, IEntity<TId>
    {
        var own = Own(repository);
        return Record<TEntity, TId>(own, entity: null, async (session, cancellationToken) =>
        {
            if (!await own.RemoveAsync(id, expectedVersion, session, cancellationToken).ConfigureAwait(false))
            {
                throw own.NotFound(id);
            }
        });
    }

    /// <summary>
    /// Runs the recorded writes in order in one transaction and commits: all of them are stored, or (when one fails) none,
    /// and the entities keep the versions and timestamps they had. A unit commits once.
    /// </summary>
    /// <param name="cancellationToken">Cancels the commit before it is sent.</param>
    /// <returns>A task that completes when every write is durable.</returns>
    /// <exception cref="InvalidOperationException">The unit was already committed.</exception>
    /// <exception cref="NotSupportedException">The backend has no transactions.</exception>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_committed)
        {
            throw new InvalidOperationException("This unit of work was already committed; resolve a new one.");
        }

        _committed = true;
        if (_steps.Count == 0)
        {
            return;
        }

        if (!_database.SupportsSessions)
        {
            throw new NotSupportedException($"The {_database.Name} backend does not support units of work.");
        }

        const string Operation = "unit_of_work";
        var collection = _steps[0].Collection;
        var start = DataMetrics.Enabled ? _time.GetTimestamp() : 0;
        using var activity = KitDiagnostics.ActivitySource.StartActivity("data " + Operation, ActivityKind.Client);
        activity?.SetTag("db.system.name", _database.Name);
        var gate = _database.ConcurrencyGate;
        var entered = false;
        try
        {
            await _database.EnsureAvailableAsync(cancellationToken).ConfigureAwait(false);
            if (gate is not null)
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                entered = true;
            }

            var session = await _database.BeginSessionAsync(cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                try
                {
                    foreach (var step in _steps)
                    {
                        await step.Run(session, cancellationToken).ConfigureAwait(false);
                    }

                    await session.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    foreach (var step in _steps)
                    {
                        step.Restore();
                    }

                    throw;
                }
            }

            if (start != 0)
            {
                DataMetrics.Record(collection, Operation, "ok", _time.GetElapsedTime(start));
            }

            Log.OperationSucceeded(_logger, Operation, collection, "ok");
        }
        catch (Exception exception) when (exception is not Problems.KitException and not OperationCanceledException
            && _database.TranslateException(exception) is { } translated)
        {
            Report(Operation, collection, start, translated);
            throw translated;
        }
        catch (Exception exception) when (Report(Operation, collection, start, exception))
        {
            throw;
        }
        finally
        {
            if (entered)
            {
                gate!.Release();
            }
        }
    }

    private bool Report(string operation, string collection, long start, Exception exception)
    {
        var (status, reason) = DataOutcomes.Of(exception);
        if (start != 0)
        {
            DataMetrics.Record(collection, operation, status, _time.GetElapsedTime(start));
        }

        if (status == "error" || exception is Problems.KitException { StatusCode: >= 500 })
        {
            Log.OperationFailed(_logger, operation, collection, status, reason, exception);
        }
        else
        {
            Log.OperationRejected(_logger, operation, collection, status, reason);
        }

        return false;
    }

    private Repository<TEntity, TId> Own<TEntity, TId>(IRepository<TEntity, TId> repository)
        where TEntity : class, IEntity<TId>
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (_committed)
        {
            throw new InvalidOperationException("This unit of work was already committed; resolve a new one.");
        }

        if (repository is not Repository<TEntity, TId> own)
        {
            throw new ArgumentException("A unit of work takes the repositories registered with AddRepository.", nameof(repository));
        }

        if (!ReferenceEquals(own.Database, _database))
        {
            throw new ArgumentException($"The {typeof(TEntity).Name} repository uses another database than this unit of work.", nameof(repository));
        }

        return own;
    }

    private UnitOfWork Record<TEntity, TId>(Repository<TEntity, TId> repository, TEntity? entity, Func<DataSession, CancellationToken, ValueTask> run)
        where TEntity : class, IEntity<TId>
    {
        _steps.Add(new Step<TEntity, TId>(repository.CollectionName, run, entity));
        return this;
    }

    private abstract class Step(string collection, Func<DataSession, CancellationToken, ValueTask> run)
    {
        public string Collection { get; } = collection;

        public ValueTask Run(DataSession session, CancellationToken cancellationToken)
        {
            Capture();
            return run(session, cancellationToken);
        }

        /// <summary>Puts back the version and timestamps the entity had before the commit, which rolled back.</summary>
        public abstract void Restore();

        protected abstract void Capture();
    }

    private sealed class Step<TEntity, TId>(string collection, Func<DataSession, CancellationToken, ValueTask> run, TEntity? entity) : Step(collection, run)
        where TEntity : class, IEntity<TId>
    {
        private (long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, TId Id)? _before;

        public override void Restore()
        {
            if (entity is not null && _before is { } before)
            {
                (entity.Version, entity.CreatedAt, entity.UpdatedAt, entity.Id) = before;
            }
        }

        protected override void Capture()
        {
            if (entity is not null)
            {
                _before = (entity.Version, entity.CreatedAt, entity.UpdatedAt, entity.Id);
            }
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Linq.Expressions;
using Microservice.Kit.Data.Backends;
using Microservice.Kit.Diagnostics;
using Microservice.Kit.Problems;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Data.Internal;

/// <summary>What the core needs of a repository without knowing its entity type: its backend, and its start-up work.</summary>
internal interface IKitRepository
{
    DataBackend Database { get; }

    string CollectionName { get; }

    ValueTask InitializeAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The one repository of the kit, over any <see cref="RepositoryBackend{TEntity, TId}"/>: validation, version and
/// timestamp stamping, the concurrency gate, metrics, logs, activities and error translation live here once; the
/// backend only stores.
/// </summary>
/// <remarks>
/// Every operation goes through <see cref="RunAsync"/>: the body is a static lambda and its arguments travel in a
/// state value, so an operation allocates no closure; a backend that completes synchronously (LiteDB) costs no
/// state machine beyond the returned task.
/// </remarks>
internal sealed class Repository<TEntity, TId> : IRepository<TEntity, TId>, IKitRepository
    where TEntity : class, IEntity<TId>
{
    private const string AddOperation = "add";
    private const string AddManyOperation = "add_many";
    private const string GetOperation = "get";
    private const string UpdateOperation = "update";
    private const string DeleteOperation = "delete";
    private const string ExistsOperation = "exists";
    private const string CountOperation = "count";
    private const string FindOperation = "find";
    private const string PageOperation = "page";

    private static readonly Func<TEntity?, string> FoundStatus = static entity => entity is null ? "not_found" : "ok";

    private readonly DataBackend _database;
    private readonly RepositoryBackend<TEntity, TId> _backend;
    private readonly EntityModel<TEntity> _model;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _collection;

    public Repository(DataBackend database, EntityModel<TEntity> model, TimeProvider time, ILogger logger)
    {
        _database = database;
        _model = model;
        _time = time;
        _logger = logger;
        _collection = model.CollectionName;
        _backend = database.CreateRepository<TEntity, TId>(model);
    }

    public DataBackend Database => _database;

    public string CollectionName => _collection;

    public RepositoryBackend<TEntity, TId> Backend => _backend;

    public EntityModel<TEntity> Model => _model;

    public ValueTask InitializeAsync(CancellationToken cancellationToken) => _backend.InitializeAsync(cancellationToken);

    public Task<TEntity> AddAsync(TEntity entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return RunAsync(AddOperation, entity, static async (repository, entity, cancellationToken) =>
        {
            await repository.InsertAsync(entity, session: null, cancellationToken).ConfigureAwait(false);
            return entity;
        }, cancellationToken);
    }

    public Task<int> AddManyAsync(IEnumerable<TEntity> entities, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entities);
        var list = entities as IReadOnlyList<TEntity> ?? [.. entities];
        return RunAsync(AddManyOperation, list, static async (repository, list, cancellationToken) =>
        {
            for (var i = 0; i < list.Count; i++)
            {
                var entity = list[i] ?? throw new ArgumentException($"Entity [{i}] is null.", nameof(entities));
                repository._model.ValidateOrThrow(entity, "[" + i.ToString(CultureInfo.InvariantCulture) + "].");
            }

            var saved = new (long, DateTimeOffset, DateTimeOffset)[list.Count];
            var now = repository.Now();
            for (var i = 0; i < list.Count; i++)
            {
                var entity = list[i];
                saved[i] = (entity.Version, entity.CreatedAt, entity.UpdatedAt);
                (entity.Version, entity.CreatedAt, entity.UpdatedAt) = (1, now, now);
            }

            try
            {
                return await repository._backend.InsertManyAsync(list, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                for (var i = 0; i < list.Count; i++)
                {
                    (list[i].Version, list[i].CreatedAt, list[i].UpdatedAt) = saved[i];
                }

                throw;
            }
        }, cancellationToken);
    }

    public Task<TEntity?> GetAsync(TId id, CancellationToken cancellationToken = default) =>
        RunAsync(GetOperation, id, static (repository, id, cancellationToken) => repository._backend.GetAsync(id, cancellationToken), cancellationToken, FoundStatus);

    public Task<TEntity> UpdateAsync(TEntity entity, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return RunAsync(UpdateOperation, (entity, expectedVersion), static async (repository, call, cancellationToken) =>
        {
            await repository.ReplaceAsync(call.entity, call.expectedVersion, session: null, cancellationToken).ConfigureAwait(false);
            return call.entity;
        }, cancellationToken);
    }

    public Task<TEntity> ModifyAsync(TId id, Action<TEntity> change, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return RunAsync(UpdateOperation, (id, change, expectedVersion), static async (repository, call, cancellationToken) =>
        {
            var entity = await repository._backend.ModifyAsync(call.id, repository.Apply(call.id, call.change, call.expectedVersion), cancellationToken)
                .ConfigureAwait(false);
            return entity ?? throw repository.NotFound(call.id);
        }, cancellationToken);
    }

    public Task<bool> DeleteAsync(TId id, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        RunAsync(DeleteOperation, (id, expectedVersion),
            static (repository, call, cancellationToken) => repository.RemoveAsync(call.id, call.expectedVersion, session: null, cancellationToken),
            cancellationToken, static deleted => deleted ? "ok" : "not_found");

    public Task<bool> ExistsAsync(TId id, CancellationToken cancellationToken = default) =>
        RunAsync(ExistsOperation, id, static (repository, id, cancellationToken) => repository._backend.ExistsAsync(id, cancellationToken), cancellationToken);

    public Task<bool> AnyAsync(Expression<Func<TEntity, bool>> filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return RunAsync(ExistsOperation, filter, static (repository, filter, cancellationToken) => repository._backend.AnyAsync(filter, cancellationToken), cancellationToken);
    }

    public Task<long> CountAsync(Expression<Func<TEntity, bool>>? filter = null, CancellationToken cancellationToken = default) =>
        RunAsync(CountOperation, filter, static (repository, filter, cancellationToken) => repository._backend.CountAsync(filter, cancellationToken), cancellationToken);

    public Task<TEntity?> FindOneAsync(Expression<Func<TEntity, bool>> filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return RunAsync(FindOperation, filter, static (repository, filter, cancellationToken) => repository._backend.FindOneAsync(filter, cancellationToken), cancellationToken, FoundStatus);
    }

    public Task<IReadOnlyList<TEntity>> FindAsync(Expression<Func<TEntity, bool>> filter, int limit = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return RunAsync(FindOperation, (filter, limit),
            static (repository, call, cancellationToken) => repository._backend.FindAsync(call.filter, call.limit, cancellationToken), cancellationToken);
    }

    public Task<PageResult<TEntity>> PageAsync(PageRequest<TEntity> request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidatePage(request);
        return RunAsync(PageOperation, request, static (repository, request, cancellationToken) => repository._backend.PageAsync(request, cancellationToken), cancellationToken);
    }

    /// <summary>Validates, stamps version 1 and the timestamps, and inserts; restores the entity's stamps when that fails.</summary>
    internal async ValueTask InsertAsync(TEntity entity, DataSession? session, CancellationToken cancellationToken)
    {
        _model.ValidateOrThrow(entity);
        var (version, createdAt, updatedAt) = (entity.Version, entity.CreatedAt, entity.UpdatedAt);
        var now = Now();
        (entity.Version, entity.CreatedAt, entity.UpdatedAt) = (1, now, now);
        try
        {
            await _backend.InsertAsync(entity, session, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            (entity.Version, entity.CreatedAt, entity.UpdatedAt) = (version, createdAt, updatedAt);
            throw;
        }
    }

    /// <summary>Validates, stamps the next version, and replaces on the expected one; restores the stamps when that fails.</summary>
    internal async ValueTask ReplaceAsync(TEntity entity, long? expectedVersion, DataSession? session, CancellationToken cancellationToken)
    {
        _model.ValidateOrThrow(entity);
        if (entity.Id is null)
        {
            throw new ArgumentException("The entity has no id: add it before updating it.", nameof(entity));
        }

        var expected = expectedVersion ?? entity.Version;
        var (version, createdAt, updatedAt) = (entity.Version, entity.CreatedAt, entity.UpdatedAt);
        (entity.Version, entity.UpdatedAt) = (expected + 1, Now());
        WriteOutcome outcome;
        try
        {
            outcome = await _backend.ReplaceAsync(entity, expected, session, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            (entity.Version, entity.CreatedAt, entity.UpdatedAt) = (version, createdAt, updatedAt);
            throw;
        }

        if (outcome.Status != WriteStatus.Written)
        {
            (entity.Version, entity.CreatedAt, entity.UpdatedAt) = (version, createdAt, updatedAt);
            throw outcome.Status == WriteStatus.NotFound
                ? NotFound(entity.Id)
                : new ConcurrencyConflictException(_model.EntityName, expected, outcome.CurrentVersion, fromPrecondition: expectedVersion.HasValue);
        }
    }

    /// <summary>Deletes; a version mismatch is a 412 (an expected version only ever comes from <c>If-Match</c> here).</summary>
    internal async ValueTask<bool> RemoveAsync(TId id, long? expectedVersion, DataSession? session, CancellationToken cancellationToken)
    {
        var outcome = await _backend.DeleteAsync(id, expectedVersion, session, cancellationToken).ConfigureAwait(false);
        return outcome.Status switch
        {
            WriteStatus.Written => true,
            WriteStatus.NotFound => false,
            _ => throw new ConcurrencyConflictException(_model.EntityName, expectedVersion ?? 0, outcome.CurrentVersion, fromPrecondition: true),
        };
    }

    internal NotFoundException NotFound(TId id) => new($"{_model.EntityName} {id} does not exist.");

    /// <summary>What <see cref="RepositoryBackend{TEntity, TId}.ModifyAsync"/> applies to the entity as stored.</summary>
    private Action<TEntity> Apply(TId id, Action<TEntity> change, long? expectedVersion) => entity =>
    {
        var stored = entity.Version;
        if (expectedVersion is { } expected && expected != stored)
        {
            throw new ConcurrencyConflictException(_model.EntityName, expected, stored, fromPrecondition: true);
        }

        var createdAt = entity.CreatedAt;
        change(entity);

        // The change replaces what the caller sends; the id and the stamps stay the repository's.
        entity.Id = id;
        _model.ValidateOrThrow(entity);
        (entity.Version, entity.CreatedAt, entity.UpdatedAt) = (stored + 1, createdAt, Now());
    };

    internal DateTimeOffset Now()
    {
        // Stored to the millisecond by every backend: truncate so that the entity returned equals the one read back.
        var ticks = _time.GetUtcNow().UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    private void ValidatePage(PageRequest<TEntity> request)
    {
        var max = _database.MaxPageSize;
        var errors = new ValidationErrors();
        errors.Check(request.Page >= 1, "page", "must be 1 or more");
        errors.Check(request.PageSize >= 1 && request.PageSize <= max, "pageSize", $"must be 1 to {max}");
        if (!errors.IsEmpty)
        {
            throw new ValidationException(errors.ToDictionary(string.Empty));
        }
    }

    /// <summary>
    /// Every operation: makes sure the database is there, waits for a slot of the backend's gate, runs the body, measures,
    /// traces and logs the outcome, translates storage errors, and releases the slot.
    /// </summary>
    private async Task<TResult> RunAsync<TState, TResult>(
        string operation,
        TState state,
        Func<Repository<TEntity, TId>, TState, CancellationToken, ValueTask<TResult>> body,
        CancellationToken cancellationToken,
        Func<TResult, string>? statusOf = null)
    {
        var start = DataMetrics.Enabled ? _time.GetTimestamp() : 0;
        using var activity = KitDiagnostics.ActivitySource.HasListeners() ? StartActivity(operation) : null;
        var gate = _database.ConcurrencyGate;
        var entered = false;
        try
        {
            var available = _database.EnsureAvailableAsync(cancellationToken);
            if (!available.IsCompletedSuccessfully)
            {
                await available.ConfigureAwait(false);
            }

            if (gate is not null)
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                entered = true;
            }

            var result = await body(this, state, cancellationToken).ConfigureAwait(false);
            Succeeded(operation, start, statusOf is null ? "ok" : statusOf(result), activity);
            return result;
        }
        catch (Exception exception) when (Translate(exception) is { } translated)
        {
            Failed(operation, start, translated, activity);
            throw translated;
        }
        catch (Exception exception) when (Failed(operation, start, exception, activity))
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

    private Activity? StartActivity(string operation)
    {
        var activity = KitDiagnostics.ActivitySource.StartActivity("data " + operation + " " + _collection, ActivityKind.Client);
        activity?.SetTag("db.system.name", _database.Name);
        activity?.SetTag("db.collection.name", _collection);
        activity?.SetTag("db.operation.name", operation);
        return activity;
    }

    /// <summary>A storage error the backend knows (503, 507), or <see langword="null"/> to let the exception through unchanged.</summary>
    internal Exception? Translate(Exception exception) =>
        exception is KitException or OperationCanceledException or ArgumentException or NotSupportedException ? null : _database.TranslateException(exception);

    private void Succeeded(string operation, long start, string status, Activity? activity)
    {
        if (start != 0)
        {
            DataMetrics.Record(_collection, operation, status, _time.GetElapsedTime(start));
        }

        activity?.SetTag("microservice_kit.status", status);
        Log.OperationSucceeded(_logger, operation, _collection, status);
    }

    /// <summary>Logs, traces and measures a failure; always <see langword="false"/>, so that the exception goes on unchanged.</summary>
    internal bool Failed(string operation, long start, Exception exception, Activity? activity)
    {
        var (status, reason) = DataOutcomes.Of(exception);
        if (start != 0)
        {
            DataMetrics.Record(_collection, operation, status, _time.GetElapsedTime(start));
        }

        activity?.SetTag("microservice_kit.status", status);
        if (status == "error" || exception is KitException { StatusCode: >= 500 })
        {
            activity?.SetStatus(ActivityStatusCode.Error, reason);
            Log.OperationFailed(_logger, operation, _collection, status, reason, exception);
        }
        else
        {
            Log.OperationRejected(_logger, operation, _collection, status, reason);
        }

        return false;
    }
}

/// <summary>How an exception is reported in metrics and logs.</summary>
internal static class DataOutcomes
{
    public static (string Status, string Reason) Of(Exception exception) => exception switch
    {
        KitException kit => (StatusOf(kit.StatusCode), kit.Code),
        OperationCanceledException => ("canceled", "Canceled"),
        _ => ("error", exception.GetType().Name),
    };

    private static string StatusOf(int statusCode) => statusCode switch
    {
        400 => "invalid",
        404 => "not_found",
        409 => "conflict",
        412 => "precondition_failed",
        503 => "unavailable",
        507 => "insufficient_storage",
        _ => "rejected",
    };
}

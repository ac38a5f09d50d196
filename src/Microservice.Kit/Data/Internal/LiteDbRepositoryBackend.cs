using System.Linq.Expressions;
using System.Reflection;
using LiteDB;
using Microservice.Kit.Data.Backends;

namespace Microservice.Kit.Data.Internal;

/// <summary>
/// One collection of a LiteDB database: storage only. Calls run synchronously on the calling thread (LiteDB has no
/// async API), inside the core's gate; every returned task is already complete.
/// </summary>
/// <remarks>
/// Conditional writes read the stored version and write in one LiteDB transaction that holds the collection's write lock
/// (<c>ForUpdate</c>), so no other write comes between the check and the write. Inside a unit of work's session, or a
/// <see cref="LiteDbContext.InTransaction{TResult}(Func{LiteDbTransaction, TResult})"/> body, they join the transaction
/// already open on the thread instead of beginning their own.
/// </remarks>
internal sealed class LiteDbRepositoryBackend<TEntity, TId> : RepositoryBackend<TEntity, TId>
    where TEntity : class, IEntity<TId>
{
    private static readonly MethodInfo EnsureIndexMethod =
        typeof(LiteDbRepositoryBackend<TEntity, TId>).GetMethod(nameof(EnsureIndex), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly LiteDbContext _context;
    private readonly ILiteCollection<TEntity> _collection;
    private readonly ILiteCollection<BsonDocument> _documents;
    private readonly string _versionField;
    private readonly string _createdAtField;
    private readonly Lock _initializeLock = new();
    private volatile bool _initialized;

    public LiteDbRepositoryBackend(LiteDbContext context, EntityModel<TEntity> model)
        : base(model)
    {
        _context = context;
        _collection = MapperWarmup.GetCollection<TEntity>(context.Database, model.CollectionName);
        _documents = context.Database.GetCollection(model.CollectionName);
        _versionField = FieldName(context.Database.Mapper, nameof(IEntity<TId>.Version));
        _createdAtField = FieldName(context.Database.Mapper, nameof(IEntity<TId>.CreatedAt));
    }

    public LiteDbContext Context => _context;

    /// <summary>The raw collection, for the LiteDB-only transaction and tests.</summary>
    internal ILiteCollection<TEntity> Collection => _collection;

    public override ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        EnsureInitialized();
        return ValueTask.CompletedTask;
    }

    internal void EnsureInitialized(bool inTransaction = false)
    {
        if (_initialized)
        {
            return;
        }

        lock (_initializeLock)
        {
            if (_initialized)
            {
                return;
            }

            foreach (var index in Model.Indexes)
            {
                EnsureIndexMethod.MakeGenericMethod(index.Key.ReturnType).Invoke(null, [_collection, index]);
            }

            Log.IndexesEnsured(_context.Logger, Model.CollectionName, Model.Indexes.Count);

            // Indexes created inside a transaction vanish if it rolls back: ensure them again next time.
            _initialized = !inTransaction;
        }
    }

    public override ValueTask InsertAsync(TEntity entity, DataSession? session, CancellationToken cancellationToken)
    {
        EnsureReady(session, cancellationToken);
        try
        {
            _collection.Insert(entity);
        }
        catch (LiteException exception) when (Duplicate(exception) is { } duplicate)
        {
            throw duplicate;
        }

        return ValueTask.CompletedTask;
    }

    public override ValueTask<int> InsertManyAsync(IReadOnlyList<TEntity> entities, CancellationToken cancellationToken)
    {
        EnsureReady(session: null, cancellationToken);
        try
        {
            // One call is one LiteDB transaction: a duplicate anywhere stores none of them.
            return new ValueTask<int>(_collection.Insert(entities));
        }
        catch (LiteException exception) when (Duplicate(exception) is { } duplicate)
        {
            throw duplicate;
        }
    }

    public override ValueTask<TEntity?> GetAsync(TId id, CancellationToken cancellationToken)
    {
        EnsureReady(session: null, cancellationToken);
        return new ValueTask<TEntity?>(Get(id));
    }

    public override ValueTask<WriteOutcome> ReplaceAsync(TEntity entity, long expectedVersion, DataSession? session, CancellationToken cancellationToken)
    {
        EnsureReady(session, cancellationToken);
        var id = ToBson(entity.Id);
        var own = Begin(session);
        try
        {
            var current = ReadForUpdate(id);
            WriteOutcome outcome;
            if (current is null)
            {
                outcome = WriteOutcome.NotFound;
            }
            else if (current[_versionField].AsInt64 is var stored && stored != expectedVersion)
            {
                outcome = WriteOutcome.VersionMismatch(stored);
            }
            else
            {
                entity.CreatedAt = ToOffset(current[_createdAtField]);
                _collection.Update(entity);
                outcome = WriteOutcome.Written;
            }

            Commit(own);
            return new ValueTask<WriteOutcome>(outcome);
        }
        catch (Exception exception)
        {
            Rollback(own);
            throw exception is LiteException lite && Duplicate(lite) is { } duplicate ? duplicate : exception;
        }
    }

    /// <remarks>The read, the change and the write happen in one transaction under the collection's write lock, so
    /// <paramref name="apply"/> runs once.</remarks>
    public override ValueTask<TEntity?> ModifyAsync(TId id, Action<TEntity> apply, CancellationToken cancellationToken)
    {
        EnsureReady(session: null, cancellationToken);
        var own = Begin(session: null);
        try
        {
            // ForUpdate takes the collection's write lock before the read, so no other write can move the version
            // between this read and the update below.
            var entity = ByIdExpression.Run(ToBson(id), _collection, static (byId, collection) => collection.Query().Where(byId).ForUpdate().FirstOrDefault());
            if (entity is not null)
            {
                apply(entity);
                _collection.Update(entity);
            }

            Commit(own);
            return new ValueTask<TEntity?>(entity);
        }
        catch (Exception exception)
        {
            Rollback(own);
            throw exception is LiteException lite && Duplicate(lite) is { } duplicate ? duplicate : exception;
        }
    }

    public override ValueTask<WriteOutcome> DeleteAsync(TId id, long? expectedVersion, DataSession? session, CancellationToken cancellationToken)
    {
        EnsureReady(session, cancellationToken);
        var bsonId = ToBson(id);
        if (expectedVersion is null)
        {
            return new ValueTask<WriteOutcome>(_collection.Delete(bsonId) ? WriteOutcome.Written : WriteOutcome.NotFound);
        }

        var own = Begin(session);
        try
        {
            var current = ReadForUpdate(bsonId);
            WriteOutcome outcome;
            if (current is null)
            {
                outcome = WriteOutcome.NotFound;
            }
            else if (current[_versionField].AsInt64 is var stored && stored != expectedVersion.Value)
            {
                outcome = WriteOutcome.VersionMismatch(stored);
            }
            else
            {
                outcome = _collection.Delete(bsonId) ? WriteOutcome.Written : WriteOutcome.NotFound;
            }

            Commit(own);
            return new ValueTask<WriteOutcome>(outcome);
        }
        catch
        {
            Rollback(own);
            throw;
        }
    }

    public override ValueTask<bool> ExistsAsync(TId id, CancellationToken cancellationToken)
    {
        EnsureReady(session: null, cancellationToken);
        return new ValueTask<bool>(Exists(id));
    }

    public override ValueTask<bool> AnyAsync(Expression<Func<TEntity, bool>> filter, CancellationToken cancellationToken)
    {
        EnsureReady(session: null, cancellationToken);
        return new ValueTask<bool>(_collection.Exists(filter));
    }

    public override ValueTask<long> CountAsync(Expression<Func<TEntity, bool>>? filter, CancellationToken cancellationToken)
    {
        EnsureReady(session: null, cancellationToken);
        return new ValueTask<long>(Count(filter));
    }

    public override ValueTask<TEntity?> FindOneAsync(Expression<Func<TEntity, bool>> filter, CancellationToken cancellationToken)
    {
        EnsureReady(session: null, cancellationToken);
        return new ValueTask<TEntity?>(FindOne(filter));
    }

    public override ValueTask<IReadOnlyList<TEntity>> FindAsync(Expression<Func<TEntity, bool>> filter, int limit, CancellationToken cancellationToken)
    {
        EnsureReady(session: null, cancellationToken);
        return new ValueTask<IReadOnlyList<TEntity>>(Find(filter, limit));
    }

    public override ValueTask<PageResult<TEntity>> PageAsync(PageRequest<TEntity> request, CancellationToken cancellationToken)
    {
        EnsureReady(session: null, cancellationToken);

        // Count and page in one read transaction, so that the total describes the same snapshot as the items.
        var own = _context.Database.BeginTrans();
        try
        {
            var total = Count(request.Filter);
            var skip = (long)(request.Page - 1) * request.PageSize;
            IReadOnlyList<TEntity> items;
            if (skip >= total)
            {
                items = [];
            }
            else
            {
                var query = _collection.Query();
                if (request.Filter is not null)
                {
                    query = query.Where(request.Filter);
                }

                query = (request.OrderBy, request.Descending) switch
                {
                    // Without a filter LiteDB walks the _id index in order: an explicit ORDER BY _id would make it
                    // sort the whole collection instead (measured: 9 MB and ~20 ms for a page of 10,000 documents).
                    (null, false) when request.Filter is null => query,
                    (null, false) => query.OrderBy("_id"),
                    (null, true) => query.OrderByDescending("_id"),
                    (var orderBy, false) => query.OrderBy(orderBy),
                    (var orderBy, true) => query.OrderByDescending(orderBy),
                };
                items = query.Skip((int)skip).Limit(request.PageSize).ToList();
            }

            Commit(own);
            return new ValueTask<PageResult<TEntity>>(new PageResult<TEntity>(items, request.Page, request.PageSize, total));
        }
        catch
        {
            Rollback(own);
            throw;
        }
    }

    internal long Count(Expression<Func<TEntity, bool>>? filter) => filter is null ? _collection.LongCount() : _collection.LongCount(filter);

    internal TEntity? FindOne(Expression<Func<TEntity, bool>> filter) => _collection.FindOne(filter);

    internal IReadOnlyList<TEntity> Find(Expression<Func<TEntity, bool>> filter, int limit) =>
        _collection.Query().Where(filter).OrderBy("_id").Limit(limit).ToList();

    internal bool Exists(TId id) => ByIdExpression.Run(ToBson(id), _documents, static (byId, documents) => documents.Exists(byId));

    internal TEntity? Get(TId id) =>
        ByIdExpression.Run(ToBson(id), _collection, static (byId, collection) => collection.Find(byId).FirstOrDefault());

    private void EnsureReady(DataSession? session, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        (session as LiteDbSession)?.EnsureThread();
        if (!_initialized)
        {
            EnsureInitialized(inTransaction: session is not null || LiteDbContext.CurrentTransaction is not null);
        }
    }

    /// <summary>Begins this call's own transaction unless one is open on the thread (a session, a transaction body).</summary>
    private bool Begin(DataSession? session)
    {
        if (session is not null || LiteDbContext.CurrentTransaction is not null)
        {
            return false;
        }

        if (!_context.Database.BeginTrans())
        {
            throw new InvalidOperationException(
                "A LiteDB transaction opened outside the kit is still open on this thread; commit or roll it back first.");
        }

        return true;
    }

    private void Commit(bool own)
    {
        if (own)
        {
            _context.Database.Commit();
        }
    }

    private void Rollback(bool own)
    {
        if (own)
        {
            _context.Database.Rollback();
        }
    }

    private BsonDocument? ReadForUpdate(BsonValue id) =>

        // ForUpdate takes the collection's write lock for this transaction before reading, so the version read here
        // is still the stored one when the write that follows commits.
        ByIdExpression.Run(id, _documents, static (byId, documents) => documents.Query().Where(byId).ForUpdate().FirstOrDefault());

    private DuplicateKeyException? Duplicate(LiteException exception)
    {
        if (exception.ErrorCode != LiteException.INDEX_DUPLICATE_KEY)
        {
            return null;
        }

        // LiteDB: "Cannot insert duplicate key in unique index 'Username'. The duplicate value is '...'." The value
        // stays out of the error: it may be personal data.
        const string Marker = "index '";
        var message = exception.Message;
        var field = "id";
        var start = message.IndexOf(Marker, StringComparison.Ordinal);
        if (start >= 0)
        {
            start += Marker.Length;
            var end = message.IndexOf('\'', start);
            if (end > start)
            {
                field = Model.FieldOfIndex(message[start..end]);
            }
        }

        return new DuplicateKeyException(Model.EntityName, field, exception);
    }

    private static void EnsureIndex<TKey>(ILiteCollection<TEntity> collection, EntityIndex index) =>
        collection.EnsureIndex(index.Name, (Expression<Func<TEntity, TKey>>)index.Key, index.IsUnique);

    private static string FieldName(BsonMapper mapper, string member)
    {
        var property = typeof(TEntity).GetProperty(member);
        var attribute = property is null ? null : (BsonFieldAttribute?)Attribute.GetCustomAttribute(property, typeof(BsonFieldAttribute));
        return attribute?.Name ?? mapper.ResolveFieldName(member);
    }

    private static DateTimeOffset ToOffset(BsonValue value) =>
        value.IsDateTime ? new DateTimeOffset(value.AsDateTime.ToUniversalTime()) : default;

    private BsonValue ToBson(TId id)
    {
        // Type tests on TId are constants to the JIT: each instantiation keeps one branch and boxes nothing.
        if (typeof(TId) == typeof(int))
        {
            return new BsonValue((int)(object)id!);
        }

        if (typeof(TId) == typeof(long))
        {
            return new BsonValue((long)(object)id!);
        }

        if (typeof(TId) == typeof(Guid))
        {
            return new BsonValue((Guid)(object)id!);
        }

        if (typeof(TId) == typeof(string))
        {
            return new BsonValue((string?)(object?)id);
        }

        if (typeof(TId) == typeof(ObjectId))
        {
            return new BsonValue((ObjectId?)(object?)id);
        }

        return _context.Database.Mapper.Serialize(id);
    }
}

using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using LiteDB;
using LiteDB.Engine;

namespace Microservice.Kit.Data.Internal;

/// <summary>
/// The engine a file database's <see cref="LiteDatabase"/> talks to: it forwards every call to a
/// <see cref="LiteEngine"/> and can replace that engine with a fresh one on the same file.
/// </summary>
/// <remarks>
/// <para>LiteDB closes its engine for good after an I/O error (a full disk) or a damaged-file error, and from then on
/// rethrows that error from every call, so without a new engine the process serves nothing from the database until
/// it restarts. Collections hold their <see cref="ILiteEngine"/>, so the swap has to happen here, underneath them;
/// <see cref="SharedDatabase.RecoverAsync"/> decides when.</para>
/// <para>The swap needs no pause of the callers. A call that reached the old engine fails there (it is closed) and
/// surfaces as <see cref="DatabaseFaultedException"/>; this includes the calls LiteDB left waiting for a collection
/// lock that the failed transaction never released, which wait out LiteDB's lock timeout. A LiteDB transaction
/// belongs to its thread, so each thread remembers the engine it began one on: a later call of that transaction
/// fails instead of landing on the new engine, where it would run outside any transaction, half of it committed.</para>
/// </remarks>
internal sealed class ReopenableEngine : ILiteEngine
{
    /// <summary>Closed engines whose interrupted transactions could not be found: kept reachable for the process's life (see <see cref="Retire"/>).</summary>
    private static readonly ConcurrentBag<ILiteEngine> Unreleasable = [];

    private readonly Func<ILiteEngine> _open;
    private readonly ThreadLocal<Generation?> _transactionOf = new();
    private Generation _current;
    private int _disposed;

    public ReopenableEngine(Func<ILiteEngine> open)
    {
        _open = open;
        _current = new Generation(open());
    }

    /// <summary>The error that closed the current engine, or <see langword="null"/> while it works.</summary>
    public Exception? Fault => Volatile.Read(ref _current).Fault;

    /// <summary>Replaces a closed engine with a new one on the same file; call it from one thread at a time.</summary>
    /// <exception cref="Exception">Opening failed; the closed engine stays current, so the next attempt tries again.</exception>
    public void Reopen()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var old = Volatile.Read(ref _current);
        if (old.Fault is null)
        {
            return;
        }

        var fresh = new Generation(_open());
        Volatile.Write(ref _current, fresh);
        Retire(old.Engine);
    }

    public bool BeginTrans()
    {
        var current = Enter();
        try
        {
            var begun = current.Engine.BeginTrans();
            if (begun)
            {
                _transactionOf.Value = current;
            }

            return begun;
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public bool Commit()
    {
        var current = Enter();
        try
        {
            return current.Engine.Commit();
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
        finally
        {
            _transactionOf.Value = null;
        }
    }

    public bool Rollback()
    {
        var began = _transactionOf.Value;
        _transactionOf.Value = null;
        var current = Volatile.Read(ref _current);
        if (began is not null && !ReferenceEquals(began, current))
        {
            return false; // the transaction died with its engine: there is nothing left to undo
        }

        try
        {
            return current.Engine.Rollback();
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    // Each call below is forwarded by hand rather than through a shared helper taking a lambda: a closure per call
    // would add an allocation to every repository operation, the path the benchmarks hold to 1.1x raw LiteDB.
    public int Checkpoint()
    {
        var current = Enter();
        try
        {
            return current.Engine.Checkpoint();
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public long Rebuild(RebuildOptions options)
    {
        var current = Enter();
        try
        {
            return current.Engine.Rebuild(options);
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public IBsonDataReader Query(string collection, Query query)
    {
        var current = Enter();
        try
        {
            return new ObservedReader(this, current, current.Engine.Query(collection, query));
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public int Insert(string collection, IEnumerable<BsonDocument> docs, BsonAutoId autoId)
    {
        var current = Enter();
        try
        {
            return current.Engine.Insert(collection, docs, autoId);
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public int Update(string collection, IEnumerable<BsonDocument> docs)
    {
        var current = Enter();
        try
        {
            return current.Engine.Update(collection, docs);
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public int UpdateMany(string collection, BsonExpression transform, BsonExpression predicate)
    {
        var current = Enter();
        try
        {
            return current.Engine.UpdateMany(collection, transform, predicate);
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public int Upsert(string collection, IEnumerable<BsonDocument> docs, BsonAutoId autoId)
    {
        var current = Enter();
        try
        {
            return current.Engine.Upsert(collection, docs, autoId);
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public int Delete(string collection, IEnumerable<BsonValue> ids)
    {
        var current = Enter();
        try
        {
            return current.Engine.Delete(collection, ids);
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public int DeleteMany(string collection, BsonExpression predicate)
    {
        var current = Enter();
        try
        {
            return current.Engine.DeleteMany(collection, predicate);
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public bool DropCollection(string name)
    {
        var current = Enter();
        try
        {
            return current.Engine.DropCollection(name);
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public bool RenameCollection(string name, string newName)
    {
        var current = Enter();
        try
        {
            return current.Engine.RenameCollection(name, newName);
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public bool EnsureIndex(string collection, string name, BsonExpression expression, bool unique)
    {
        var current = Enter();
        try
        {
            return current.Engine.EnsureIndex(collection, name, expression, unique);
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public bool DropIndex(string collection, string name)
    {
        var current = Enter();
        try
        {
            return current.Engine.DropIndex(collection, name);
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public BsonValue Pragma(string name)
    {
        var current = Enter();
        try
        {
            return current.Engine.Pragma(name);
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public bool Pragma(string name, BsonValue value)
    {
        var current = Enter();
        try
        {
            return current.Engine.Pragma(name, value);
        }
        catch (Exception exception) when (IsStale(current, exception))
        {
            throw new DatabaseFaultedException(exception);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                var current = Volatile.Read(ref _current);
                if (current.Fault is null)
                {
                    current.Engine.Dispose();
                }
                else
                {
                    Retire(current.Engine);
                }
            }
            finally
            {
                _transactionOf.Dispose();
            }
        }
    }

    /// <summary>
    /// Lets go of an engine LiteDB closed after an error. LiteDB 5 leaves the transactions that the error interrupted
    /// open in the engine's transaction monitor; once the engine is garbage their finalizers touch the closed cache,
    /// fail an assertion on the finalizer thread and end the process (seen in this suite). So their finalizers are
    /// suppressed (the file handles are already closed; there is nothing left for them to release), and an engine
    /// whose transactions cannot be found (another LiteDB version) is kept reachable instead.
    /// </summary>
    private static void Retire(ILiteEngine engine)
    {
        try
        {
            engine.Dispose(); // after a fault LiteDB only marks it closed; its locks may still be held
        }
        catch (Exception exception) when (exception is IOException or LiteException or ObjectDisposedException or SynchronizationLockException)
        {
            // Already closed by the fault.
        }

        if (!TrySuppressTransactionFinalizers(engine))
        {
            Unreleasable.Add(engine);
        }
    }

    private static bool TrySuppressTransactionFinalizers(ILiteEngine engine)
    {
        const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;
        try
        {
            var monitor = typeof(LiteEngine).GetField("_monitor", Private)?.GetValue(engine);
            if (monitor?.GetType().GetField("_transactions", Private)?.GetValue(monitor) is not IDictionary transactions)
            {
                return false;
            }

            // The monitor takes this same lock around its dictionary.
            lock (transactions)
            {
                foreach (var transaction in transactions.Values)
                {
#pragma warning disable CA1816 // on purpose: these objects' own Dispose can no longer run, and their finalizer must not
                    GC.SuppressFinalize(transaction!);
#pragma warning restore CA1816
                }
            }

            return true;
        }
        catch (InvalidOperationException)
        {
            return false; // modified while enumerated: keep the engine instead
        }
    }

    /// <summary>The engine for a call of this thread; throws when the thread's open transaction was on an engine since replaced.</summary>
    private Generation Enter()
    {
        var current = Volatile.Read(ref _current);
        if (_transactionOf.Value is { } began && !ReferenceEquals(began, current))
        {
            _transactionOf.Value = null;
            throw new DatabaseFaultedException(began.Fault ?? new InvalidOperationException("The transaction's engine was replaced."));
        }

        return current;
    }

    /// <summary>
    /// Records an error LiteDB closes its engine for (EngineState.Handle in LiteDB 5: any I/O error or a damaged
    /// file) and tells whether the engine that threw was already replaced, in which case the caller wraps the error.
    /// </summary>
    private bool IsStale(Generation generation, Exception exception)
    {
        if (exception is IOException or LiteException { ErrorCode: LiteException.INVALID_DATAFILE_STATE or LiteException.ENGINE_DISPOSED })
        {
            Interlocked.CompareExchange(ref generation.Fault, exception, null);
        }

        return !ReferenceEquals(generation, Volatile.Read(ref _current)) && Volatile.Read(ref _disposed) == 0;
    }

    /// <summary>One engine and the error that closed it.</summary>
    private sealed class Generation(ILiteEngine engine)
    {
        public readonly ILiteEngine Engine = engine;

        public Exception? Fault;
    }

    /// <summary>A query's reader: documents are read lazily, so a disk error can surface on any <see cref="Read"/>.</summary>
    private sealed class ObservedReader(ReopenableEngine owner, Generation generation, IBsonDataReader inner) : IBsonDataReader
    {
        public BsonValue this[string field] => inner[field];

        public string Collection => inner.Collection;

        public BsonValue Current => inner.Current;

        public bool HasValues => inner.HasValues;

        public bool Read()
        {
            try
            {
                return inner.Read();
            }
            catch (Exception exception) when (owner.IsStale(generation, exception))
            {
                throw new DatabaseFaultedException(exception);
            }
        }

        public void Dispose() => inner.Dispose();
    }
}

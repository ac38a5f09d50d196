using LiteDB;
using LiteDB.Engine;

namespace Microservice.Kit.Data.Internal;

/// <summary>
/// The engine a file database's <see cref="LiteDatabase"/> talks to: it forwards every call to a
/// <see cref="LiteEngine"/> and can replace that engine with a fresh one on the same file.
/// </summary>
/// <remarks>
/// LiteDB closes its engine for good after an I/O error (a full disk) or a damaged-file error, and from then on
/// rethrows that error from every call, so without a new engine the process serves nothing from the database until
/// it restarts. Collections hold their <see cref="ILiteEngine"/>, so the swap has to happen here, underneath them.
/// This class only notices the fault and swaps; <see cref="SharedDatabase.RecoverAsync"/> decides when a swap is
/// safe (no operation in flight).
/// </remarks>
internal sealed class ReopenableEngine(Func<ILiteEngine> open) : ILiteEngine
{
    private ILiteEngine _engine = open();
    private Exception? _fault;
    private int _disposed;

    /// <summary>The error that closed the current engine, or <see langword="null"/> while it works.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Disposes the closed engine and opens a new one; the caller guarantees that no call is in flight.</summary>
    /// <exception cref="Exception">Opening failed; the fault stays, so the next caller tries again.</exception>
    public void Reopen()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var old = Volatile.Read(ref _engine);
        try
        {
            old.Dispose();
        }
        catch (Exception exception) when (exception is IOException or LiteException or ObjectDisposedException)
        {
            // A closed engine may fail to close again; the new one must open regardless.
        }

        ILiteEngine fresh;
        try
        {
            fresh = open();
        }
        catch (Exception exception)
        {
            Volatile.Write(ref _fault, exception);
            throw;
        }

        Volatile.Write(ref _engine, fresh);
        Volatile.Write(ref _fault, null);
    }

    public int Checkpoint()
    {
        try
        {
            return Current.Checkpoint();
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public long Rebuild(RebuildOptions options)
    {
        try
        {
            return Current.Rebuild(options);
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public bool BeginTrans()
    {
        try
        {
            return Current.BeginTrans();
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public bool Commit()
    {
        try
        {
            return Current.Commit();
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public bool Rollback()
    {
        try
        {
            return Current.Rollback();
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public IBsonDataReader Query(string collection, Query query)
    {
        try
        {
            return new ObservedReader(this, Current.Query(collection, query));
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public int Insert(string collection, IEnumerable<BsonDocument> docs, BsonAutoId autoId)
    {
        try
        {
            return Current.Insert(collection, docs, autoId);
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public int Update(string collection, IEnumerable<BsonDocument> docs)
    {
        try
        {
            return Current.Update(collection, docs);
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public int UpdateMany(string collection, BsonExpression transform, BsonExpression predicate)
    {
        try
        {
            return Current.UpdateMany(collection, transform, predicate);
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public int Upsert(string collection, IEnumerable<BsonDocument> docs, BsonAutoId autoId)
    {
        try
        {
            return Current.Upsert(collection, docs, autoId);
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public int Delete(string collection, IEnumerable<BsonValue> ids)
    {
        try
        {
            return Current.Delete(collection, ids);
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public int DeleteMany(string collection, BsonExpression predicate)
    {
        try
        {
            return Current.DeleteMany(collection, predicate);
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public bool DropCollection(string name)
    {
        try
        {
            return Current.DropCollection(name);
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public bool RenameCollection(string name, string newName)
    {
        try
        {
            return Current.RenameCollection(name, newName);
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public bool EnsureIndex(string collection, string name, BsonExpression expression, bool unique)
    {
        try
        {
            return Current.EnsureIndex(collection, name, expression, unique);
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public bool DropIndex(string collection, string name)
    {
        try
        {
            return Current.DropIndex(collection, name);
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public BsonValue Pragma(string name)
    {
        try
        {
            return Current.Pragma(name);
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public bool Pragma(string name, BsonValue value)
    {
        try
        {
            return Current.Pragma(name, value);
        }
        catch (Exception exception) when (Observe(exception))
        {
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Volatile.Read(ref _engine).Dispose();
        }
    }

    private ILiteEngine Current => Volatile.Read(ref _engine);

    /// <summary>Records an error that LiteDB closes its engine for (EngineState.Handle in LiteDB 5); always <see langword="false"/>.</summary>
    private bool Observe(Exception exception)
    {
        if (Volatile.Read(ref _disposed) == 0
            && exception is IOException or LiteException { ErrorCode: LiteException.INVALID_DATAFILE_STATE or LiteException.ENGINE_DISPOSED })
        {
            Interlocked.CompareExchange(ref _fault, exception, null);
        }

        return false;
    }

    /// <summary>A query's reader: documents are read lazily, so a disk error can surface on any <see cref="Read"/>.</summary>
    private sealed class ObservedReader(ReopenableEngine owner, IBsonDataReader inner) : IBsonDataReader
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
            catch (Exception exception) when (owner.Observe(exception))
            {
                throw;
            }
        }

        public void Dispose() => inner.Dispose();
    }
}

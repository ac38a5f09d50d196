namespace Microservice.Kit.Data.Backends;

/// <summary>
/// One atomic session of a <see cref="DataBackend"/> (a database transaction), begun by
/// <see cref="DataBackend.BeginSessionAsync(CancellationToken)"/> for a <see cref="UnitOfWork"/>. Writes given it take part
/// in it; disposing it without <see cref="CommitAsync(CancellationToken)"/> rolls them all back.
/// </summary>
/// <remarks>
/// The core uses a session from one logical flow, never concurrently, and awaits every call before the next. A backend
/// whose transactions belong to a thread (LiteDB) completes every call on a session synchronously, so the flow never
/// leaves the thread that began it.
/// </remarks>
public abstract class DataSession : IAsyncDisposable
{
    /// <summary>Makes every write of the session visible, atomically.</summary>
    /// <param name="cancellationToken">Cancels the commit before it is sent.</param>
    /// <returns>A task that completes when the writes are durable.</returns>
    public abstract ValueTask CommitAsync(CancellationToken cancellationToken);

    /// <summary>Rolls back whatever was not committed and releases the session.</summary>
    /// <returns>A task that completes when it is released.</returns>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Rolls back whatever was not committed and releases the session's resources (connection, lock).</summary>
    /// <returns>A task that completes when they are released.</returns>
    protected abstract ValueTask DisposeAsyncCore();
}

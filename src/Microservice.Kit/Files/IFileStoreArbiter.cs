namespace Microservice.Kit.Files;

/// <summary>
/// Serialises the publishing steps of one file id across every replica that shares the arbiter: a store that cannot
/// make "create only if absent" or "delete only if this version" atomic by itself (an object store that ignores
/// <c>If-None-Match: *</c>) holds the id while it checks and publishes.
/// </summary>
/// <remarks>
/// The default arbiter holds ids within one process, which is exact for one replica. Replicas that share an object
/// store need a shared one: <c>AddPostgreSqlFileStoreArbiter</c> (Microservice.Kit.PostgreSql) holds a PostgreSQL
/// advisory lock keyed by the id, which the server releases by itself if the holder dies. A lease is held for a
/// check and a publish (milliseconds), never while content streams in.
/// </remarks>
public interface IFileStoreArbiter
{
    /// <summary>Waits until <paramref name="fileId"/> of <paramref name="scope"/> is free and holds it until the returned lease is disposed.</summary>
    /// <param name="scope">Where the store keeps its files (its bucket and prefix), so that stores on different places do not wait on each other.</param>
    /// <param name="fileId">The file's id.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The lease; dispose it to free the id.</returns>
    /// <exception cref="Problems.DependencyUnavailableException">A shared arbiter cannot be reached (503).</exception>
    ValueTask<IAsyncDisposable> AcquireAsync(string scope, string fileId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes <paramref name="key"/> of <paramref name="scope"/> if nobody holds it, without waiting: a store instance holds
    /// a key naming itself for its lifetime, so that another one can tell whether it is still alive (the key is free only
    /// once its holder is gone; a shared arbiter frees it by itself when the holder's process dies).
    /// </summary>
    /// <param name="scope">Where the store keeps its files, as for <see cref="AcquireAsync"/>.</param>
    /// <param name="key">The key: any string; the ids of <see cref="AcquireAsync"/> share its space, so a key that is not a
    /// file id should start with <c>.</c>, which no file id does.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The lease, or <see langword="null"/> when someone holds the key.</returns>
    /// <exception cref="Problems.DependencyUnavailableException">A shared arbiter cannot be reached (503).</exception>
    ValueTask<IFileStoreLease?> TryAcquireAsync(string scope, string key, CancellationToken cancellationToken = default);
}

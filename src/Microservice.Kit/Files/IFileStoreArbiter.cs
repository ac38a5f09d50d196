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
}

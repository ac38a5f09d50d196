namespace Microservice.Kit.Files;

/// <summary>
/// A key held with <see cref="IFileStoreArbiter.TryAcquireAsync"/>, for as long as its holder lives: disposing it frees
/// the key. A shared arbiter can lose a lease without being asked (its database connection broke), so a long-lived
/// holder asks <see cref="IsHeldAsync"/> before it relies on it.
/// </summary>
public interface IFileStoreLease : IAsyncDisposable
{
    /// <summary>Whether the key is still held by this lease: <see langword="false"/> once disposed or once the arbiter lost it.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns><see langword="true"/> while the lease holds its key.</returns>
    ValueTask<bool> IsHeldAsync(CancellationToken cancellationToken = default);
}

namespace Microservice.Kit.Data.Backends;

/// <summary>What a conditional write found: done, no such entity, or another version stored.</summary>
public enum WriteStatus
{
    /// <summary>The write happened.</summary>
    Written,

    /// <summary>No entity has the id; nothing was written.</summary>
    NotFound,

    /// <summary>The stored version is not the expected one; nothing was written. <see cref="WriteOutcome.CurrentVersion"/> names it.</summary>
    VersionMismatch,
}

/// <summary>The result of <see cref="RepositoryBackend{TEntity, TId}.ReplaceAsync"/> and <see cref="RepositoryBackend{TEntity, TId}.DeleteAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="CurrentVersion">The version stored now, for <see cref="WriteStatus.VersionMismatch"/>; 0 otherwise.</param>
public readonly record struct WriteOutcome(WriteStatus Status, long CurrentVersion)
{
    /// <summary>The write happened.</summary>
    public static WriteOutcome Written => new(WriteStatus.Written, 0);

    /// <summary>No entity has the id.</summary>
    public static WriteOutcome NotFound => new(WriteStatus.NotFound, 0);

    /// <summary>Another version is stored.</summary>
    /// <param name="currentVersion">The version stored now.</param>
    /// <returns>The outcome.</returns>
    public static WriteOutcome VersionMismatch(long currentVersion) => new(WriteStatus.VersionMismatch, currentVersion);
}

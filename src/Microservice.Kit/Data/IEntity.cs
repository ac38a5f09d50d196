namespace Microservice.Kit.Data;

/// <summary>
/// What a repository needs of an entity: an id, a version for optimistic concurrency (and ETags) and audit
/// timestamps. The repository sets <see cref="Version"/>, <see cref="CreatedAt"/> and <see cref="UpdatedAt"/>;
/// callers only read them.
/// </summary>
/// <typeparam name="TId">The id type: <see cref="int"/>, <see cref="long"/>, <see cref="Guid"/> and LiteDB's
/// <c>ObjectId</c> are assigned automatically when left at their default; other types (a <see cref="string"/>) must be set.</typeparam>
public interface IEntity<TId>
{
    /// <summary>The entity's id, stored as the document's <c>_id</c>.</summary>
    TId Id { get; set; }

    /// <summary>
    /// The version of the stored entity: 1 after it is added, one more after each update. Send it as an ETag
    /// with <see cref="EntityTag.FromVersion(long)"/>.
    /// </summary>
    long Version { get; set; }

    /// <summary>When the entity was added, from the repository's <see cref="TimeProvider"/>, to the millisecond.</summary>
    DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the entity was last added or updated, from the repository's <see cref="TimeProvider"/>, to the millisecond.</summary>
    DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A convenient base for entities: the members of <see cref="IEntity{TId}"/> as plain properties.</summary>
/// <typeparam name="TId">The id type.</typeparam>
public abstract class Entity<TId> : IEntity<TId>
{
    /// <inheritdoc/>
    public TId Id { get; set; } = default!;

    /// <inheritdoc/>
    public long Version { get; set; }

    /// <inheritdoc/>
    public DateTimeOffset CreatedAt { get; set; }

    /// <inheritdoc/>
    public DateTimeOffset UpdatedAt { get; set; }
}

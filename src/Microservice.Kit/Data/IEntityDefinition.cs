namespace Microservice.Kit.Data;

/// <summary>
/// Declares once, apart from any storage, what the kit must know about an entity: its collection (or table) name, its
/// indexes and unique keys, and its validation rules. Every backend reads the same definition, as EF Core reads an
/// <c>IEntityTypeConfiguration&lt;T&gt;</c>. Register it with <c>kit.AddRepository&lt;TEntity, TId, TDefinition&gt;()</c>.
/// </summary>
/// <example>
/// <code>
/// public sealed class UserDefinition : IEntityDefinition&lt;User&gt;
/// {
///     public void Configure(EntityBuilder&lt;User&gt; user) =&gt; user
///         .ToCollection("users")
///         .HasUniqueIndex(u =&gt; u.Username, "username")
///         .Validate((u, errors) =&gt; errors.Length(u.Username, "username", 1, 64));
/// }
/// </code>
/// </example>
/// <typeparam name="TEntity">The entity type.</typeparam>
public interface IEntityDefinition<TEntity>
    where TEntity : class
{
    /// <summary>Declares the entity's name, indexes and rules; called once, when the repository is first built.</summary>
    /// <param name="entity">Where to declare them.</param>
    void Configure(EntityTypeBuilder<TEntity> entity);
}

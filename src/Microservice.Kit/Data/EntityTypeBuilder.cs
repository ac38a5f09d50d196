using System.Linq.Expressions;
using System.Reflection;
using System.Text;

namespace Microservice.Kit.Data;

/// <summary>
/// Collects an entity's definition (<see cref="IEntityDefinition{TEntity}"/>): its collection name, indexes, unique keys
/// and validation rules. <see cref="Build"/> freezes it into the <see cref="EntityModel{TEntity}"/> every backend reads.
/// </summary>
/// <typeparam name="TEntity">The entity type.</typeparam>
public sealed class EntityTypeBuilder<TEntity>
    where TEntity : class
{
    private readonly List<EntityIndex> _indexes = [];
    private readonly List<Action<TEntity, ValidationErrors>> _rules = [];
    private string? _collectionName;

    /// <summary>
    /// Names the collection (LiteDB) or table (PostgreSQL): letters, digits and <c>_</c>, starting with a letter or <c>_</c>.
    /// By default the entity type's name; for a generic type, its name and its type arguments' joined by <c>_</c>
    /// (<c>Audit&lt;Employee&gt;</c> is <c>Audit_Employee</c>).
    /// </summary>
    /// <param name="name">The name.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is empty or has other characters.</exception>
    public EntityTypeBuilder<TEntity> ToCollection(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        EntityModel<TEntity>.CheckCollectionName(name, nameof(name));
        _collectionName = name;
        return this;
    }

    /// <summary>Adds an index that speeds up filters and sorts on a member.</summary>
    /// <typeparam name="TKey">The member's type.</typeparam>
    /// <param name="key">The member, such as <c>e =&gt; e.Name</c> or <c>e =&gt; e.Address.City</c>.</param>
    /// <param name="field">The name clients know the member by, for error messages; by default its path in camel case (<c>address.city</c>).</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The key is not a member path of the entity, or the member is indexed twice.</exception>
    public EntityTypeBuilder<TEntity> HasIndex<TKey>(Expression<Func<TEntity, TKey>> key, string? field = null) => Define(key, unique: false, field);

    /// <summary>
    /// Adds a unique index: an add or update that would give a second entity the same value fails with a 409
    /// <see cref="DuplicateKeyException"/> naming <paramref name="field"/>.
    /// </summary>
    /// <typeparam name="TKey">The member's type.</typeparam>
    /// <param name="key">The member, such as <c>u =&gt; u.Username</c>.</param>
    /// <param name="field">The name clients know the member by (sent as the problem's <c>field</c>); by default its path in camel case.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The key is not a member path of the entity, or the member is indexed twice.</exception>
    public EntityTypeBuilder<TEntity> HasUniqueIndex<TKey>(Expression<Func<TEntity, TKey>> key, string? field = null) => Define(key, unique: true, field);

    /// <summary>
    /// Adds a rule an entity must follow to be added or updated. Each error the rule adds makes the operation fail with
    /// a 400 listing them all. Rules run in the order declared, after the entity's own <see cref="IValidatableEntity"/> rules.
    /// </summary>
    /// <param name="rule">Adds what is wrong with the entity to the errors.</param>
    /// <returns>This builder.</returns>
    public EntityTypeBuilder<TEntity> Validate(Action<TEntity, ValidationErrors> rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        _rules.Add(rule);
        return this;
    }

    /// <summary>Freezes the definition.</summary>
    /// <returns>The model backends read.</returns>
    public EntityModel<TEntity> Build() =>
        new(_collectionName ?? EntityModel<TEntity>.DefaultCollectionName(typeof(TEntity)), [.. _indexes], [.. _rules]);

    private EntityTypeBuilder<TEntity> Define<TKey>(Expression<Func<TEntity, TKey>> key, bool unique, string? field)
    {
        ArgumentNullException.ThrowIfNull(key);
        var members = MemberPath(key.Body)
            ?? throw new ArgumentException("An index key must be a member of the entity, such as e => e.Name or e => e.Address.City.", nameof(key));
        var path = string.Join('.', members.Select(m => m.Name));
        var name = path.Replace('.', '_');
        if (_indexes.Exists(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"An index on {path} of {typeof(TEntity).Name} is declared twice.", nameof(key));
        }

        _indexes.Add(new EntityIndex(name, path, members, field ?? CamelCase(path), unique, key));
        return this;
    }

    private static List<MemberInfo>? MemberPath(Expression body)
    {
        while (body is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
        {
            body = convert.Operand;
        }

        var members = new List<MemberInfo>();
        while (body is MemberExpression member)
        {
            members.Insert(0, member.Member);
            body = member.Expression!;
        }

        return body is ParameterExpression && members.Count > 0 ? members : null;
    }

    private static string CamelCase(string path)
    {
        var builder = new StringBuilder(path.Length);
        var start = true;
        foreach (var c in path)
        {
            builder.Append(start ? char.ToLowerInvariant(c) : c);
            start = c == '.';
        }

        return builder.ToString();
    }
}

using System.Linq.Expressions;
using System.Reflection;
using Microservice.Kit.Problems;

namespace Microservice.Kit.Data;

/// <summary>
/// An entity's definition as every backend reads it, built once from its <see cref="IEntityDefinition{TEntity}"/>:
/// the collection (table) name, the indexes and the validation rules.
/// </summary>
/// <typeparam name="TEntity">The entity type.</typeparam>
public sealed class EntityModel<TEntity>
    where TEntity : class
{
    private readonly Action<TEntity, ValidationErrors>[] _rules;
    private readonly Dictionary<string, string> _fieldsByIndex;

    internal EntityModel(string collectionName, EntityIndex[] indexes, Action<TEntity, ValidationErrors>[] rules)
    {
        CollectionName = collectionName;
        Indexes = indexes;
        _rules = rules;
        _fieldsByIndex = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["_id"] = "id", ["id"] = "id" };
        foreach (var index in indexes)
        {
            _fieldsByIndex[index.Name] = index.Field;
        }
    }

    /// <summary>The name used in messages: the entity type's name (<c>Employee</c>).</summary>
    public string EntityName { get; } = typeof(TEntity).Name;

    /// <summary>The collection (LiteDB) or table (PostgreSQL) name: letters, digits and <c>_</c>.</summary>
    public string CollectionName { get; }

    /// <summary>The declared indexes, in declaration order.</summary>
    public IReadOnlyList<EntityIndex> Indexes { get; }

    /// <summary>Whether any validation rule applies (the entity's own, or declared ones).</summary>
    public bool HasRules => _rules.Length > 0 || typeof(IValidatableEntity).IsAssignableFrom(typeof(TEntity));

    /// <summary>
    /// The field name clients know an index by (its <see cref="EntityIndex.Field"/>), for a backend that learns from a
    /// storage error which index was violated. <c>_id</c> and <c>id</c> are <c>id</c>; an unknown name is returned as is.
    /// </summary>
    /// <param name="indexName">The index's <see cref="EntityIndex.Name"/> (case-insensitive).</param>
    /// <returns>The field name.</returns>
    public string FieldOfIndex(string indexName)
    {
        ArgumentNullException.ThrowIfNull(indexName);
        return _fieldsByIndex.TryGetValue(indexName, out var field) ? field : indexName;
    }

    /// <summary>Runs the entity's own rules and the declared ones.</summary>
    /// <param name="entity">The entity.</param>
    /// <param name="errors">Where the errors go.</param>
    public void Validate(TEntity entity, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(errors);
        (entity as IValidatableEntity)?.Validate(errors);
        foreach (var rule in _rules)
        {
            rule(entity, errors);
        }
    }

    /// <summary>Runs the rules and throws a 400 listing every error, each field prefixed with <paramref name="prefix"/>.</summary>
    /// <param name="entity">The entity.</param>
    /// <param name="prefix">Prepended to each field name (<c>[2].</c> for the third of a batch).</param>
    /// <exception cref="ValidationException">A rule is broken.</exception>
    public void ValidateOrThrow(TEntity entity, string prefix = "")
    {
        if (!HasRules)
        {
            return;
        }

        var errors = new ValidationErrors();
        Validate(entity, errors);
        if (!errors.IsEmpty)
        {
            throw new ValidationException(errors.ToDictionary(prefix));
        }
    }

    internal static void CheckCollectionName(string name, string parameter)
    {
        // LiteDB would accept a bad name and fail only at the first write; a SQL table name must be a plain identifier.
        if (name.Length == 0 || name.Length > 63 || char.IsAsciiDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException(
                $"The collection name '{name}' of {typeof(TEntity).Name} must be 1 to 63 ASCII letters, digits and '_', not starting with a digit.", parameter);
        }
    }

    internal static string DefaultCollectionName(Type type)
    {
        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return string.Join('_', [tick < 0 ? name : name[..tick], .. type.GetGenericArguments().Select(DefaultCollectionName)]);
    }
}

/// <summary>One declared index of an <see cref="EntityModel{TEntity}"/>.</summary>
public sealed class EntityIndex
{
    internal EntityIndex(string name, string path, IReadOnlyList<MemberInfo> members, string field, bool isUnique, LambdaExpression key)
    {
        Name = name;
        Path = path;
        Members = members;
        Field = field;
        IsUnique = isUnique;
        Key = key;
    }

    /// <summary>The index's name: the member path with <c>_</c> between members (<c>Address_City</c>). Unique per entity, case-insensitively.</summary>
    public string Name { get; }

    /// <summary>The member path with <c>.</c> between members (<c>Address.City</c>), by the CLR member names.</summary>
    public string Path { get; }

    /// <summary>The members from the entity down to the indexed one (<c>Address</c>, then <c>City</c>).</summary>
    public IReadOnlyList<MemberInfo> Members { get; }

    /// <summary>The name clients know the member by, sent as <see cref="DuplicateKeyException.Field"/>.</summary>
    public string Field { get; }

    /// <summary>Whether two entities may not share a value.</summary>
    public bool IsUnique { get; }

    /// <summary>The key as declared (<c>e =&gt; e.Address.City</c>), a <c>Expression&lt;Func&lt;TEntity, TKey&gt;&gt;</c>.</summary>
    public LambdaExpression Key { get; }
}

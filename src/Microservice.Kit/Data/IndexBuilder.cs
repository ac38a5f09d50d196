using System.Linq.Expressions;
using System.Text;
using LiteDB;

namespace Microservice.Kit.Data;

/// <summary>
/// The indexes of a repository's collection, declared in one place by overriding
/// <see cref="LiteDbRepository{TEntity, TId}.ConfigureIndexes(IndexBuilder{TEntity})"/>. They are created (if missing) the
/// first time the repository is used.
/// </summary>
/// <typeparam name="TEntity">The entity type.</typeparam>
public sealed class IndexBuilder<TEntity>
{
    private readonly List<IndexDefinition> _indexes = [];

    internal IReadOnlyList<IndexDefinition> Indexes => _indexes;

    /// <summary>Adds an index that speeds up filters and sorts on a member.</summary>
    /// <typeparam name="TKey">The member's type.</typeparam>
    /// <param name="key">The member, such as <c>e =&gt; e.Name</c> or <c>e =&gt; e.Address.City</c>.</param>
    /// <param name="field">The field name clients know it by, for error messages; defaults to the member path in camel case.</param>
    /// <returns>This builder.</returns>
    public IndexBuilder<TEntity> Add<TKey>(Expression<Func<TEntity, TKey>> key, string? field = null) => Define(key, unique: false, field);

    /// <summary>
    /// Adds a unique index: an add or update that would give a second entity the same value fails with a 409
    /// <see cref="DuplicateKeyException"/> naming <paramref name="field"/>.
    /// </summary>
    /// <typeparam name="TKey">The member's type.</typeparam>
    /// <param name="key">The member, such as <c>u =&gt; u.Username</c>.</param>
    /// <param name="field">The field name clients know it by; defaults to the member path in camel case (<c>username</c>).</param>
    /// <returns>This builder.</returns>
    public IndexBuilder<TEntity> Unique<TKey>(Expression<Func<TEntity, TKey>> key, string? field = null) => Define(key, unique: true, field);

    private IndexBuilder<TEntity> Define<TKey>(Expression<Func<TEntity, TKey>> key, bool unique, string? field)
    {
        ArgumentNullException.ThrowIfNull(key);
        var path = MemberPath(key.Body)
            ?? throw new ArgumentException("An index key must be a member of the entity, such as e => e.Name or e => e.Address.City.", nameof(key));
        var name = path.Replace('.', '_');
        if (_indexes.Exists(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"An index on {path} is declared twice.", nameof(key));
        }

        _indexes.Add(new IndexDefinition(name, field ?? CamelCase(path), unique, collection => ((ILiteCollection<TEntity>)collection).EnsureIndex(name, key, unique)));
        return this;
    }

    private static string? MemberPath(Expression body)
    {
        while (body is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
        {
            body = convert.Operand;
        }

        var parts = new Stack<string>();
        while (body is MemberExpression member)
        {
            parts.Push(member.Member.Name);
            body = member.Expression!;
        }

        return body is ParameterExpression && parts.Count > 0 ? string.Join('.', parts) : null;
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

/// <summary>One declared index; <see cref="Ensure"/> creates it on the collection if it is missing.</summary>
internal sealed record IndexDefinition(string Name, string Field, bool Unique, Action<object> Ensure);

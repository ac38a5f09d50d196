using System.Linq.Expressions;

namespace Microservice.Kit.Data;

/// <summary>What page of which entities, in what order: the argument of <see cref="IRepository{TEntity, TId}.PageAsync"/>.</summary>
/// <typeparam name="TEntity">The entity type.</typeparam>
/// <param name="page">The page number, from 1.</param>
/// <param name="pageSize">How many entities per page, from 1 to the repository's maximum (100 by default).</param>
public sealed class PageRequest<TEntity>(int page, int pageSize)
{
    /// <summary>The page number, from 1.</summary>
    public int Page { get; } = page;

    /// <summary>How many entities per page.</summary>
    public int PageSize { get; } = pageSize;

    /// <summary>Which entities to page through; <see langword="null"/> for all. Use indexed members.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Expression<Func<TEntity, bool>>? Filter { get; init; }

    /// <summary>The member to order by, such as <c>e =&gt; e.Name</c>; <see langword="null"/> orders by id.</summary>
    /// <value>The default is <see langword="null"/> (by id).</value>
    public Expression<Func<TEntity, object?>>? OrderBy { get; init; }

    /// <summary>Whether to order from the highest value down.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Descending { get; init; }
}

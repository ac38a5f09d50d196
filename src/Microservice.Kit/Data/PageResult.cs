using System.Text.Json.Serialization;

namespace Microservice.Kit.Data;

/// <summary>
/// One page of entities with the total that match. Serializes with System.Text.Json to exactly
/// <c>{"items":[...],"page":1,"pageSize":20,"total":57}</c>, whatever the serializer's naming policy.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="items">The items of this page; empty past the last page.</param>
/// <param name="page">The page number, from 1.</param>
/// <param name="pageSize">The page size that was asked for.</param>
/// <param name="total">How many entities match in all pages.</param>
public sealed class PageResult<T>(IReadOnlyList<T> items, int page, int pageSize, long total)
{
    /// <summary>The items of this page; empty past the last page.</summary>
    [JsonPropertyName("items")]
    [JsonPropertyOrder(0)]
    public IReadOnlyList<T> Items { get; } = items ?? throw new ArgumentNullException(nameof(items));

    /// <summary>The page number, from 1.</summary>
    [JsonPropertyName("page")]
    [JsonPropertyOrder(1)]
    public int Page { get; } = page;

    /// <summary>The page size that was asked for (the last page may hold fewer items).</summary>
    [JsonPropertyName("pageSize")]
    [JsonPropertyOrder(2)]
    public int PageSize { get; } = pageSize;

    /// <summary>How many entities match in all pages.</summary>
    [JsonPropertyName("total")]
    [JsonPropertyOrder(3)]
    public long Total { get; } = total;

    /// <summary>Returns the same page with each item converted, for example an entity to its response shape.</summary>
    /// <typeparam name="TResult">The converted item type.</typeparam>
    /// <param name="selector">Converts one item.</param>
    /// <returns>The converted page.</returns>
    public PageResult<TResult> Map<TResult>(Func<T, TResult> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var items = new TResult[Items.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = selector(Items[i]);
        }

        return new PageResult<TResult>(items, Page, PageSize, Total);
    }
}

using LiteDB;

namespace Microservice.Kit.Data.Internal;

/// <summary>
/// The predicate <c>_id = @0</c>, parsed once per thread. LiteDB's <c>FindById</c> and <c>Where("_id = @0", id)</c> parse
/// the text on every call (its tokenizer and parser, and a LINQ tree built only to find the compiled delegate in its
/// cache), which on a read by id cost about as much CPU as the index lookup itself. The parsed expression reads its
/// parameter from its <see cref="BsonExpression.Parameters"/> document when the query runs, so setting that value
/// before the query selects the same document without the parse.
/// </summary>
/// <remarks>
/// LiteDB runs a query synchronously on the calling thread and is done with the expression when the result has been
/// read, so a thread needs one at a time; a nested read on the same thread (code run while mapping an entity) is given
/// a new one rather than the one in use.
/// </remarks>
internal static class ByIdExpression
{
    [ThreadStatic]
    private static BsonExpression? t_idle;

    /// <summary>Runs <paramref name="query"/> with a predicate that selects the document whose id is <paramref name="id"/>.</summary>
    public static TResult Run<TState, TResult>(BsonValue id, TState state, Func<BsonExpression, TState, TResult> query)
    {
        var predicate = t_idle ?? BsonExpression.Create("_id = @0", BsonValue.Null);
        t_idle = null;
        try
        {
            predicate.Parameters["0"] = id;
            return query(predicate, state);
        }
        finally
        {
            // Not kept alive by an idle expression: the id may be a large value.
            predicate.Parameters["0"] = BsonValue.Null;
            t_idle = predicate;
        }
    }
}

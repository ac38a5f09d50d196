using LiteDB;
using Microservice.Kit.Data.Internal;

namespace Microservice.Kit.Tests.Data.Internal;

public sealed class ByIdExpressionTests : IDisposable
{
    private readonly LiteDatabase _database = new(new MemoryStream());
    private readonly ILiteCollection<BsonDocument> _documents;

    public ByIdExpressionTests()
    {
        _documents = _database.GetCollection("things", BsonAutoId.Int32);
        _documents.InsertBulk(Enumerable.Range(1, 200).Select(i => new BsonDocument { ["_id"] = i, ["name"] = $"thing {i}" }));
    }

    public void Dispose() => _database.Dispose();

    [Fact]
    public void Run_OneAfterAnother_EachSelectsItsOwnId()
    {
        foreach (var id in new[] { 7, 150, 7, 1, 200 })
        {
            var found = ByIdExpression.Run(id, _documents, static (byId, documents) => documents.FindOne(byId));

            Assert.Equal($"thing {id}", found["name"].AsString);
        }
    }

    [Fact]
    public void Run_MissingId_FindsNothing()
    {
        Assert.Null(ByIdExpression.Run(999, _documents, static (byId, documents) => documents.FindOne(byId)));
        Assert.False(ByIdExpression.Run(999, _documents, static (byId, documents) => documents.Exists(byId)));
    }

    [Fact]
    public void Run_NestedOnOneThread_InnerReadDoesNotChangeTheOuterOne()
    {
        var (outer, inner) = ByIdExpression.Run(3, _documents, (byId, documents) =>
        {
            var innerFound = ByIdExpression.Run(4, documents, static (innerById, d) => d.FindOne(innerById));
            return (documents.FindOne(byId), innerFound);
        });

        Assert.Equal("thing 3", outer["name"].AsString);
        Assert.Equal("thing 4", inner["name"].AsString);
    }

    [Fact]
    public void Run_QueryThrows_TheNextReadOnTheThreadStillSelectsItsId()
    {
        Assert.Throws<InvalidOperationException>(() =>
            ByIdExpression.Run<int, int>(5, 0, static (_, _) => throw new InvalidOperationException("the query failed")));

        Assert.Equal("thing 6", ByIdExpression.Run(6, _documents, static (byId, documents) => documents.FindOne(byId))["name"].AsString);
    }

    [Fact]
    public async Task Run_ManyThreadsAtOnce_EachSelectsItsOwnId()
    {
        var wrong = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var id = 1 + ((worker * 31 + i) % 200);
                var found = ByIdExpression.Run(id, _documents, static (byId, documents) => documents.FindOne(byId));
                if (found?["_id"].AsInt32 != id)
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        })));

        Assert.Equal(0, wrong);
    }
}

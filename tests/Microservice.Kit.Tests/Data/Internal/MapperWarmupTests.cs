using System.Collections.Concurrent;
using System.Reflection;
using LiteDB;
using Microservice.Kit.Data;
using Microservice.Kit.Data.Internal;

namespace Microservice.Kit.Tests.Data.Internal;

public sealed class MapperWarmupTests
{
    // Each round needs entity types LiteDB's process-wide mapper (BsonMapper.Global, which the kit's databases use) has
    // never seen, so every round closes the generic race entities over a new pair of these.
    private static readonly Type[] TagArguments =
    [
        typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong),
        typeof(float), typeof(double), typeof(decimal), typeof(char), typeof(bool), typeof(string), typeof(Guid), typeof(DateTime),
    ];

    [Fact]
    public void Page_ConcurrentFirstQueriesOnBaseClassMembers_AllSucceed()
    {
        const int Rounds = 60;
        const int Threads = 8;
        var run = typeof(MapperWarmupTests).GetMethod(nameof(RunRound), BindingFlags.NonPublic | BindingFlags.Static)!;
        var failures = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var tag = typeof(RaceTag<,>).MakeGenericType(TagArguments[round % TagArguments.Length], TagArguments[round / TagArguments.Length]);
            var errors = (IReadOnlyCollection<Exception>)run.MakeGenericMethod(tag).Invoke(null, [Threads])!;
            if (errors.Count > 0)
            {
                failures.Add($"round {round}: {errors.Count} of {Threads} requests failed, first: {errors.First().GetType().Name}: {errors.First().Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {Rounds} rounds failed:\n{string.Join('\n', failures)}");
    }

    [Fact]
    public void GetCollection_EntityWithAbstractBase_MapsEveryTypeAQueryLooksUp()
    {
        // A fresh mapper tells when LiteDB builds a type's mapping: it calls ResolveMember for each member it maps.
        var mapper = new BsonMapper();
        var built = new ConcurrentDictionary<Type, int>();
        mapper.ResolveMember = (type, _, _) => built.AddOrUpdate(type, 1, (_, count) => count + 1);
        using var database = new LiteDatabase(new MemoryStream(), mapper);

        MapperWarmup.GetCollection<Employee>(database, "employees");

        Assert.Contains(typeof(Employee), built.Keys);
        Assert.Contains(typeof(Entity<int>), built.Keys);
        Assert.Contains(typeof(IEntity<int>), built.Keys);

        // Translating queries on members declared in the entity, its abstract base and its interface builds nothing
        // more: every mapping a query can look up was complete before the first query.
        var before = built.Count;
        Assert.Equal("$._id", mapper.GetExpression<Employee, object>(e => e.Id).Source);
        Assert.Equal("($.Version>@p0)", mapper.GetExpression<Employee, bool>(e => e.Version > 0).Source);
        Assert.Equal("$.Name", mapper.GetExpression<Employee, object>(e => e.Name).Source);
        Assert.Equal("$._id", IdOf<Employee, int>(mapper).Source);
        Assert.Equal(before, built.Count);
    }

    private static BsonExpression IdOf<TEntity, TId>(BsonMapper mapper)
        where TEntity : IEntity<TId> =>
        // In generic code the member is the interface's: LiteDB looks up the mapping of IEntity<TId>.
        mapper.GetExpression<TEntity, object?>(e => e.Id);

    private static ConcurrentQueue<Exception> RunRound<TTag>(int threads)
    {
        using var context = new LiteDbContext(new LiteDbOptions { ConnectionString = ":memory:" });
        var repository = TestRepositories.Create<RaceEntity<TTag>, int>(context, race => race.ToCollection("race"));
        repository.AddManyAsync([new RaceEntity<TTag> { Name = "a" }, new RaceEntity<TTag> { Name = "b" }]).GetAwaiter().GetResult();

        // The shape of the first requests after a service starts: pages ordered by, and filtered on, members the
        // entity inherits, all arriving together.
        var errors = new ConcurrentQueue<Exception>();
        using var barrier = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(worker => new Thread(() =>
        {
            barrier.SignalAndWait();
            try
            {
                var request = (worker % 3) switch
                {
                    0 => new PageRequest<RaceEntity<TTag>>(1, 10) { OrderBy = e => e.Id, Descending = true },
                    1 => new PageRequest<RaceEntity<TTag>>(1, 10) { Filter = e => e.Version > 0, OrderBy = e => e.CreatedAt },
                    _ => new PageRequest<RaceEntity<TTag>>(1, 10) { Filter = e => e.Id > 0 && e.UpdatedAt > DateTimeOffset.MinValue },
                };
                var page = repository.PageAsync(request).GetAwaiter().GetResult();
                Assert.Equal(2, page.Total);
                Assert.Equal(2, page.Items.Count);
            }
            catch (Exception exception)
            {
                errors.Enqueue(exception);
            }
        })).ToList();
        workers.ForEach(thread => thread.Start());
        workers.ForEach(thread => thread.Join());
        return errors;
    }
}

#pragma warning disable CA1812 // Instantiated through reflection; the type parameters only make the types new.
internal sealed class RaceTag<T1, T2>;
#pragma warning restore CA1812

/// <summary>Like <see cref="Entity{TId}"/>, but a new type for each tag.</summary>
public abstract class RaceEntityBase<TTag> : IEntity<int>
{
    public int Id { get; set; }

    public long Version { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class RaceEntity<TTag> : RaceEntityBase<TTag>
{
    public string Name { get; set; } = "";
}

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using LiteDB;
using Microservice.Kit.Data;
using Microservice.Kit.Data.Internal;

namespace Microservice.Kit.Benchmarks.Data;

public sealed class BenchEmployee : Entity<int>
{
    public string Name { get; set; } = "";

    public string Address { get; set; } = "";
}

/// <summary>The kit's repository on the LiteDB backend, as <c>AddRepository</c> builds it, on a collection of the benchmark's choice.</summary>
public static class BenchEmployeeRepository
{
    public static IRepository<BenchEmployee, int> Create(LiteDbContext context, string collection)
    {
        var model = new EntityTypeBuilder<BenchEmployee>().ToCollection(collection).HasIndex(e => e.Name).Build();
        return new Repository<BenchEmployee, int>(new LiteDbBackend(context), model, context.TimeProvider, context.Logger);
    }
}

/// <summary>
/// The repository's hot paths against the same call on a raw <see cref="ILiteCollection{T}"/> of the same file
/// database (the baseline of each category). Both sides declare the same index on Name.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RepositoryBenchmarks : IDisposable
{
    private const int Seeded = 10_000;

    private string _directory = "";
    private LiteDbContext _context = null!;
    private ILiteCollection<BenchEmployee> _raw = null!;
    private ILiteCollection<BsonDocument> _rawDocuments = null!;
    private IRepository<BenchEmployee, int> _repository = null!;
    private BenchEmployee _rawTarget = null!;
    private BenchEmployee _kitTarget = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("kit-bench-data-").FullName;
        _context = new LiteDbContext(new LiteDbOptions { ConnectionString = Path.Combine(_directory, "bench.db") });
        _raw = _context.Database.GetCollection<BenchEmployee>("raw");
        _raw.EnsureIndex("Name", x => x.Name);
        _rawDocuments = _context.Database.GetCollection("raw");
        _repository = BenchEmployeeRepository.Create(_context, "kit");

        // Same documents on both sides: the raw side gets what the repository would have stored.
        var now = DateTimeOffset.UtcNow;
        _raw.InsertBulk(Enumerable.Range(0, Seeded).Select(i => new BenchEmployee { Name = "e" + i, Address = "street " + i, Version = 1, CreatedAt = now, UpdatedAt = now }));
        _repository.AddManyAsync(Enumerable.Range(0, Seeded).Select(i => new BenchEmployee { Name = "e" + i, Address = "street " + i })).GetAwaiter().GetResult();
        _rawTarget = _raw.FindById(5000);
        _kitTarget = _repository.GetAsync(5000).GetAwaiter().GetResult()!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    public void Dispose()
    {
        _context?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Insert")]
    public BsonValue InsertRaw()
    {
        var now = DateTimeOffset.UtcNow;
        return _raw.Insert(new BenchEmployee { Name = "new", Address = "somewhere", Version = 1, CreatedAt = now, UpdatedAt = now });
    }

    [Benchmark]
    [BenchmarkCategory("Insert")]
    public Task<BenchEmployee> InsertKit() => _repository.AddAsync(new BenchEmployee { Name = "new", Address = "somewhere" });

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("GetById")]
    public BenchEmployee GetByIdRaw() => _raw.FindById(NextId());

    [Benchmark]
    [BenchmarkCategory("GetById")]
    public Task<BenchEmployee?> GetByIdKit() => _repository.GetAsync(NextId());

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Page")]
    public (List<BenchEmployee> Items, int Total) PageRaw() =>
        (_raw.Query().Skip(180).Limit(20).ToList(), _raw.Count());

    /// <summary>The same page with the guarantee the repository gives: count and items read in one transaction.</summary>
    [Benchmark]
    [BenchmarkCategory("Page")]
    public (List<BenchEmployee> Items, int Total) PageRawInTransaction()
    {
        var database = _context.Database;
        database.BeginTrans();
        var total = _raw.Count();
        var items = _raw.Query().Skip(180).Limit(20).ToList();
        database.Commit();
        return (items, total);
    }

    [Benchmark]
    [BenchmarkCategory("Page")]
    public Task<PageResult<BenchEmployee>> PageKit() => _repository.PageAsync(new PageRequest<BenchEmployee>(10, 20));

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Update")]
    public bool UpdateRaw()
    {
        _rawTarget.Address = "moved";
        _rawTarget.Version++;
        _rawTarget.UpdatedAt = DateTimeOffset.UtcNow;
        return _raw.Update(_rawTarget);
    }

    /// <summary>What a hand-written optimistic update on the raw collection takes: the honest comparison for the version check.</summary>
    [Benchmark]
    [BenchmarkCategory("Update")]
    public bool UpdateRawWithVersionCheck()
    {
        var database = _context.Database;
        database.BeginTrans();
        var current = _rawDocuments.Query().Where("_id = @0", _rawTarget.Id).ForUpdate().FirstOrDefault();
        if (current["Version"].AsInt64 != _rawTarget.Version)
        {
            database.Rollback();
            return false;
        }

        _rawTarget.Address = "moved";
        _rawTarget.Version++;
        _rawTarget.UpdatedAt = DateTimeOffset.UtcNow;
        var updated = _raw.Update(_rawTarget);
        database.Commit();
        return updated;
    }

    [Benchmark]
    [BenchmarkCategory("Update")]
    public Task<BenchEmployee> UpdateKit()
    {
        _kitTarget.Address = "moved";
        return _repository.UpdateAsync(_kitTarget);
    }

    private int NextId() => (_next = (_next % Seeded) + 1);
}

/// <summary>Bulk insert of 100,000 entities; the time per operation is per entity, so entities/s = 1 / mean.</summary>
[MemoryDiagnoser]
public class RepositoryBulkInsertBenchmarks : IDisposable
{
    private const int Count = 100_000;

    private string _directory = "";
    private LiteDbContext _context = null!;
    private int _collection;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("kit-bench-bulk-").FullName;
        _context = new LiteDbContext(new LiteDbOptions { ConnectionString = Path.Combine(_directory, "bulk.db") });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    public void Dispose()
    {
        _context?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    public int BulkInsertRaw()
    {
        var now = DateTimeOffset.UtcNow;
        var collection = _context.Database.GetCollection<BenchEmployee>("raw" + Interlocked.Increment(ref _collection));
        return collection.InsertBulk(Enumerable.Range(0, Count).Select(i => new BenchEmployee { Name = "e" + i, Address = "a", Version = 1, CreatedAt = now, UpdatedAt = now }));
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public Task<int> BulkInsertKit()
    {
        var repository = BenchEmployeeRepository.Create(_context, "kit" + Interlocked.Increment(ref _collection));
        return repository.AddManyAsync(Enumerable.Range(0, Count).Select(i => new BenchEmployee { Name = "e" + i, Address = "a" }));
    }
}

using System.Globalization;
using System.Linq.Expressions;
using Microservice.Kit.Data;
using Microservice.Kit.Problems;

namespace Microservice.Kit.Tests.Data;

/// <summary><see cref="IRepository{TEntity, TId}.ModifyAsync"/>: LiteDB's one-lock implementation and the interface's retrying default.</summary>
public sealed class LiteDbRepositoryModifyTests : IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly IRepository<Employee, int> _employees;

    public LiteDbRepositoryModifyTests()
    {
        _employees = TestRepositories.Employees(_database.Context);
    }

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Modify_SixteenConcurrentUnconditional_AllSucceedAndNoneIsLost()
    {
        var employee = await _employees.AddAsync(new Employee { Name = "counter", Address = "0" });

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => _employees.ModifyAsync(employee.Id, Increment))));

        var stored = await _employees.GetAsync(employee.Id);
        Assert.Equal("16", stored!.Address);
        Assert.Equal(17, stored.Version);
        Assert.Equal(Enumerable.Range(2, 16).Select(v => (long)v), results.Select(r => r.Version).Order());
    }

    [Fact]
    public async Task Modify_CurrentExpectedVersion_UpdatesOnce()
    {
        var employee = await _employees.AddAsync(new Employee { Name = "Ada", Address = "London" });

        var updated = await _employees.ModifyAsync(employee.Id, e => e.Address = "Paris", expectedVersion: 1);

        Assert.Equal(2, updated.Version);
        Assert.Equal("Paris", (await _employees.GetAsync(employee.Id))!.Address);
    }

    [Fact]
    public async Task Modify_StaleExpectedVersion_Throws412AndChangesNothing()
    {
        var employee = await _employees.AddAsync(new Employee { Name = "Ada", Address = "London" });
        await _employees.ModifyAsync(employee.Id, e => e.Address = "Paris");
        var applied = false;

        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => _employees.ModifyAsync(employee.Id, e => (applied, e.Address) = (true, "Rome"), expectedVersion: 1));

        Assert.Equal(412, error.StatusCode);
        Assert.Equal(ProblemCodes.PreconditionFailed, error.Code);
        Assert.False(applied);
        var stored = await _employees.GetAsync(employee.Id);
        Assert.Equal(("Paris", 2L), (stored!.Address, stored.Version));
    }

    [Fact]
    public async Task Modify_Missing_Throws404()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => _employees.ModifyAsync(404, e => e.Address = "x"));

        Assert.Equal(404, error.StatusCode);
    }

    [Fact]
    public async Task Modify_ChangeThatBreaksValidation_Throws400AndChangesNothing()
    {
        var employee = await _employees.AddAsync(new Employee { Name = "Ada", Address = "London" });

        await Assert.ThrowsAsync<ValidationException>(() => _employees.ModifyAsync(employee.Id, e => e.Name = ""));

        var stored = await _employees.GetAsync(employee.Id);
        Assert.Equal(("Ada", 1L), (stored!.Name, stored.Version));
    }

    [Fact]
    public async Task Modify_ChangeThatThrows_ChangesNothingAndTheRepositoryStaysUsable()
    {
        var employee = await _employees.AddAsync(new Employee { Name = "Ada", Address = "London" });

        await Assert.ThrowsAsync<PreconditionFailedException>(
            () => _employees.ModifyAsync(employee.Id, e => throw new PreconditionFailedException("the caller's own check")));
        var updated = await _employees.ModifyAsync(employee.Id, e => e.Address = "Paris");

        Assert.Equal(2, updated.Version);
    }

    [Fact]
    public async Task DefaultModify_SixteenConcurrentUnconditional_RetriesUntilAllSucceed()
    {
        var employee = await _employees.AddAsync(new Employee { Name = "counter", Address = "0" });
        IRepository<Employee, int> repository = new SlowReadRepository(_employees);

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => repository.ModifyAsync(employee.Id, Increment))));

        var stored = await _employees.GetAsync(employee.Id);
        Assert.Equal("16", stored!.Address);
        Assert.Equal(17, stored.Version);
    }

    [Fact]
    public async Task DefaultModify_StaleExpectedVersion_Throws412WithoutRetrying()
    {
        var employee = await _employees.AddAsync(new Employee { Name = "Ada", Address = "London" });
        await _employees.ModifyAsync(employee.Id, e => e.Address = "Paris");
        IRepository<Employee, int> repository = new SlowReadRepository(_employees);

        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.ModifyAsync(employee.Id, e => e.Address = "Rome", 1));

        Assert.Equal(412, error.StatusCode);
        Assert.Equal("Paris", (await _employees.GetAsync(employee.Id))!.Address);
    }

    private static void Increment(Employee employee) =>
        employee.Address = (int.Parse(employee.Address, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A backend without its own ModifyAsync, so the interface's default runs; each read yields, so that concurrent
    /// writers interleave between their read and their write and the version moves underneath them.
    /// </summary>
    private sealed class SlowReadRepository(IRepository<Employee, int> inner) : IRepository<Employee, int>
    {
        public async Task<Employee?> GetAsync(int id, CancellationToken cancellationToken = default)
        {
            var entity = await inner.GetAsync(id, cancellationToken);
            await Task.Delay(1, cancellationToken);
            return entity;
        }

        public Task<Employee> UpdateAsync(Employee entity, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
            inner.UpdateAsync(entity, expectedVersion, cancellationToken);

        public Task<Employee> AddAsync(Employee entity, CancellationToken cancellationToken = default) => inner.AddAsync(entity, cancellationToken);

        public Task<int> AddManyAsync(IEnumerable<Employee> entities, CancellationToken cancellationToken = default) => inner.AddManyAsync(entities, cancellationToken);

        public Task<bool> DeleteAsync(int id, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
            inner.DeleteAsync(id, expectedVersion, cancellationToken);

        public Task<bool> ExistsAsync(int id, CancellationToken cancellationToken = default) => inner.ExistsAsync(id, cancellationToken);

        public Task<bool> AnyAsync(Expression<Func<Employee, bool>> filter, CancellationToken cancellationToken = default) => inner.AnyAsync(filter, cancellationToken);

        public Task<long> CountAsync(Expression<Func<Employee, bool>>? filter = null, CancellationToken cancellationToken = default) =>
            inner.CountAsync(filter, cancellationToken);

        public Task<Employee?> FindOneAsync(Expression<Func<Employee, bool>> filter, CancellationToken cancellationToken = default) =>
            inner.FindOneAsync(filter, cancellationToken);

        public Task<IReadOnlyList<Employee>> FindAsync(Expression<Func<Employee, bool>> filter, int limit = 1000, CancellationToken cancellationToken = default) =>
            inner.FindAsync(filter, limit, cancellationToken);

        public Task<PageResult<Employee>> PageAsync(PageRequest<Employee> request, CancellationToken cancellationToken = default) =>
            inner.PageAsync(request, cancellationToken);
    }
}

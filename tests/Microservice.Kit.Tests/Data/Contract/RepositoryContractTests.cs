using System.Collections.Concurrent;
using System.Globalization;
using Microservice.Kit.Data;
using Microservice.Kit.Hosting;
using Microservice.Kit.Problems;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Microservice.Kit.Tests.Data.Contract;

/// <summary>
/// The repository contract, written once (EF Core's specification-test pattern): every backend runs all of it by
/// deriving a class that names its <see cref="RepositoryBackendFixture"/>. Each test gets its own kit, built the way a
/// service builds it (<c>AddRepository&lt;TEntity, TId, TDefinition&gt;</c>, start-up tasks run), over an empty store.
/// </summary>
/// <typeparam name="TFixture">The backend.</typeparam>
public abstract class RepositoryContractTests<TFixture> : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : RepositoryBackendFixture
{
    private readonly ServiceProvider _services;

    protected RepositoryContractTests(TFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 30, 15, 123, TimeSpan.Zero).AddTicks(4567));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddLogging();
        var kit = services.AddMicroserviceKit();
        fixture.AddBackend(kit);
        kit.AddRepository<Employee, int, EmployeeDefinition>()
            .AddRepository<User, int, UserDefinition>()
            .AddRepository<Book, Guid>()
            .AddRepository<Loan, long, LoanDefinition>();
        _services = services.BuildServiceProvider();
        Employees = _services.GetRequiredService<IRepository<Employee, int>>();
        Users = _services.GetRequiredService<IRepository<User, int>>();
        Books = _services.GetRequiredService<IRepository<Book, Guid>>();
        Loans = _services.GetRequiredService<IRepository<Loan, long>>();
    }

    protected FakeTimeProvider Time { get; }

    protected IRepository<Employee, int> Employees { get; }

    protected IRepository<User, int> Users { get; }

    protected IRepository<Book, Guid> Books { get; }

    protected IRepository<Loan, long> Loans { get; }

    protected UnitOfWork NewUnitOfWork() => _services.GetRequiredService<UnitOfWork>();

    public async Task InitializeAsync()
    {
        // What the host does before the server starts: tables and indexes exist before the first operation.
        foreach (var task in _services.GetServices<IKitStartupTask>())
        {
            await task.RunAsync(CancellationToken.None);
        }
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private static Employee NewEmployee(string name = "Ada", string address = "1 Main St") => new() { Name = name, Address = address };

    [Fact]
    public async Task Add_AutoIds_WorkForGuidAndLong()
    {
        var book = await Books.AddAsync(new Book { Title = "Dune" });
        var loan = await Loans.AddAsync(new Loan { BookId = book.Id, EmployeeId = 1 });
        var second = await Loans.AddAsync(new Loan { BookId = Guid.NewGuid(), EmployeeId = 2 });

        Assert.NotEqual(Guid.Empty, book.Id);
        Assert.True(loan.Id > 0);
        Assert.True(second.Id > loan.Id);
        Assert.Equal("Dune", (await Books.GetAsync(book.Id))!.Title);
        Assert.Equal(2, (await Loans.GetAsync(second.Id))!.EmployeeId);
    }

    [Fact]
    public async Task Add_ConcurrentCreatesOfOneUniqueValue_ExactlyOneWins()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            try
            {
                await Users.AddAsync(new User { Username = "taken", Email = $"u{i}@example.org" });
                return "created";
            }
            catch (DuplicateKeyException error)
            {
                return "duplicate " + error.Field;
            }
        })));

        Assert.Single(outcomes, o => o == "created");
        Assert.Equal(15, outcomes.Count(o => o == "duplicate username"));
        Assert.Equal(1, await Users.CountAsync(u => u.Username == "taken"));
    }

    [Fact]
    public async Task Update_ConcurrentIfMatchOnOneVersion_ExactlyOneWinsTheRestGet412()
    {
        var employee = await Employees.AddAsync(NewEmployee());
        var statuses = new ConcurrentBag<int>();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            try
            {
                await Employees.ModifyAsync(employee.Id, e => e.Address = "writer " + i.ToString(CultureInfo.InvariantCulture), expectedVersion: 1);
                statuses.Add(200);
            }
            catch (ConcurrencyConflictException error)
            {
                statuses.Add(error.StatusCode);
            }
        })));

        Assert.Single(statuses, s => s == 200);
        Assert.Equal(15, statuses.Count(s => s == 412));
        Assert.Equal(2, (await Employees.GetAsync(employee.Id))!.Version);
    }

    [Fact]
    public async Task Update_ConcurrentUpdatesOfTheSameReadVersion_ExactlyOneWinsTheRestGet409()
    {
        var employee = await Employees.AddAsync(NewEmployee());
        var statuses = new ConcurrentBag<int>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var copy = new Employee { Id = employee.Id, Version = 1, Name = "Ada", Address = "copy " + i.ToString(CultureInfo.InvariantCulture) };
            try
            {
                await Employees.UpdateAsync(copy);
                statuses.Add(200);
            }
            catch (ConcurrencyConflictException error)
            {
                statuses.Add(error.StatusCode);
                Assert.Equal(1, copy.Version);
            }
        })));

        Assert.Single(statuses, s => s == 200);
        Assert.Equal(7, statuses.Count(s => s == 409));
    }

    [Fact]
    public async Task Delete_WithCurrentVersion_DeletesIt()
    {
        var employee = await Employees.AddAsync(NewEmployee());

        Assert.True(await Employees.DeleteAsync(employee.Id, expectedVersion: 1));

        Assert.False(await Employees.ExistsAsync(employee.Id));
        Assert.False(await Employees.DeleteAsync(employee.Id));
    }

    [Fact]
    public async Task Find_CapturedValuesStartsWithAndNullChecks_AreTranslated()
    {
        await Employees.AddManyAsync([NewEmployee("After one"), NewEmployee("After two"), NewEmployee("Before")]);
        var withDepartment = NewEmployee("Dept");
        withDepartment.Department = "R&D";
        await Employees.AddAsync(withDepartment);
        var prefix = "After ";

        Assert.Equal(2, await Employees.CountAsync(e => e.Name.StartsWith(prefix)));
        Assert.Equal(3, await Employees.CountAsync(e => e.Department == null));
        Assert.Equal("Dept", (await Employees.FindOneAsync(e => e.Department != null && e.Id > 0))!.Name);
        Assert.Equal(2, await Employees.CountAsync(e => !(e.Name == "Before") && e.Department == null));
        Assert.Equal(4, await Employees.CountAsync(e => e.Version > 0 && e.UpdatedAt > DateTimeOffset.MinValue));
        Assert.Equal(2, await Employees.CountAsync(e => e.Name == "Before" || e.Name == "Dept"));
    }

    [Fact]
    public async Task UnitOfWork_Commit_StoresEveryWriteAcrossRepositories()
    {
        var book = await Books.AddAsync(new Book { Title = "Dune" });
        var gone = await Books.AddAsync(new Book { Title = "Gone" });
        book.OnLoan = true;
        var loan = new Loan { BookId = book.Id, EmployeeId = 7 };

        await NewUnitOfWork().Update(Books, book).Add(Loans, loan).Delete(Books, gone.Id, expectedVersion: 1).CommitAsync();

        Assert.Equal(2, book.Version);
        Assert.True(loan.Id > 0);
        Assert.True((await Books.GetAsync(book.Id))!.OnLoan);
        Assert.Equal(7, (await Loans.GetAsync(loan.Id))!.EmployeeId);
        Assert.False(await Books.ExistsAsync(gone.Id));
    }

    [Fact]
    public async Task UnitOfWork_OneStaleVersion_StoresNothingAndRestoresTheEntities()
    {
        var book = await Books.AddAsync(new Book { Title = "Dune" });
        await Books.UpdateAsync(book);
        var stale = new Book { Id = book.Id, Title = "stale", Version = 1 };
        var loan = new Loan { BookId = book.Id, EmployeeId = 7 };

        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => NewUnitOfWork().Add(Loans, loan).Update(Books, stale).CommitAsync());

        Assert.Equal(409, error.StatusCode);
        Assert.Equal(0, await Loans.CountAsync());
        Assert.Equal((0L, 0L), (loan.Id, loan.Version));
        Assert.Equal(1, stale.Version);
        Assert.Equal("Dune", (await Books.GetAsync(book.Id))!.Title);
    }

    [Fact]
    public async Task UnitOfWork_DuplicateKeyOrMissingDelete_StoresNothing()
    {
        var book = await Books.AddAsync(new Book { Title = "Dune" });
        await Loans.AddAsync(new Loan { BookId = book.Id, EmployeeId = 1 });

        await Assert.ThrowsAsync<DuplicateKeyException>(() =>
            NewUnitOfWork().Add(Books, new Book { Title = "Other" }).Add(Loans, new Loan { BookId = book.Id, EmployeeId = 2 }).CommitAsync());
        await Assert.ThrowsAsync<NotFoundException>(() =>
            NewUnitOfWork().Add(Books, new Book { Title = "Third" }).Delete(Books, Guid.NewGuid()).CommitAsync());

        Assert.Equal(1, await Books.CountAsync());
        Assert.Equal(1, await Loans.CountAsync());
    }

    [Fact]
    public async Task UnitOfWork_CommittedTwice_Throws()
    {
        var work = NewUnitOfWork().Add(Books, new Book { Title = "Once" });
        await work.CommitAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => work.CommitAsync());
        Assert.Equal(1, await Books.CountAsync());
    }

    [Fact]
    public async Task Add_AssignsIdVersionOneAndTimestampsFromTheClock()
    {
        var employee = await Employees.AddAsync(NewEmployee());

        Assert.Equal(1, employee.Id);
        Assert.Equal(1, employee.Version);
        var expected = new DateTimeOffset(2026, 11, 28, 9, 30, 15, 123, TimeSpan.Zero);
        Assert.Equal(expected, employee.CreatedAt);
        Assert.Equal(expected, employee.UpdatedAt);
    }

    [Fact]
    public async Task Add_ThenGet_ReturnsTheStoredEntity()
    {
        var added = await Employees.AddAsync(NewEmployee("Grace", "2 Side St"));

        var read = await Employees.GetAsync(added.Id);

        Assert.NotNull(read);
        Assert.Equal("Grace", read.Name);
        Assert.Equal("2 Side St", read.Address);
        Assert.Equal(1, read.Version);
        Assert.Equal(added.CreatedAt, read.CreatedAt);
        Assert.Equal(added.UpdatedAt, read.UpdatedAt);
    }

    [Fact]
    public async Task Get_Missing_ReturnsNull()
    {
        Assert.Null(await Employees.GetAsync(42));
    }

    [Fact]
    public async Task Add_AssignsIncreasingIntIds()
    {
        var first = await Employees.AddAsync(NewEmployee("a"));
        var second = await Employees.AddAsync(NewEmployee("b"));

        Assert.Equal(first.Id + 1, second.Id);
    }

    [Fact]
    public async Task Add_Invalid_ThrowsValidationListingEachField()
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => Employees.AddAsync(NewEmployee(name: "", address: new string('x', 1024))));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(["must be 1 to 255 characters"], error.Errors["name"]);
        Assert.Equal(["must be 1 to 1023 characters"], error.Errors["address"]);
        Assert.Equal(0, await Employees.CountAsync());
    }

    [Fact]
    public async Task Add_RepositoryRules_AreApplied()
    {
        var users = Users;

        var error = await Assert.ThrowsAsync<ValidationException>(() => users.AddAsync(new User { Username = "ab", Email = "nope" }));

        Assert.Equal(["username", "email"], error.Errors.Keys.Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public async Task Add_DuplicateUniqueValue_ThrowsConflictNamingTheField()
    {
        var users = Users;
        await users.AddAsync(new User { Username = "alice", Email = "a@example.test" });

        var error = await Assert.ThrowsAsync<DuplicateKeyException>(() => users.AddAsync(new User { Username = "alice", Email = "b@example.test" }));

        Assert.Equal(409, error.StatusCode);
        Assert.Equal(DataProblemCodes.DuplicateKey, error.Code);
        Assert.Equal("username", error.Field);
        Assert.Equal("username", error.Extensions["field"]);
        Assert.DoesNotContain("alice", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<ConflictException>(error);
        Assert.Equal(1, await users.CountAsync());
    }

    [Fact]
    public async Task Add_DuplicateOnFieldWithCustomName_UsesThatName()
    {
        var users = Users;
        await users.AddAsync(new User { Username = "alice", Email = "a@example.test" });

        var error = await Assert.ThrowsAsync<DuplicateKeyException>(() => users.AddAsync(new User { Username = "bob", Email = "a@example.test" }));

        Assert.Equal("emailAddress", error.Field);
    }

    [Fact]
    public async Task Add_ExplicitExistingId_ThrowsConflictOnId()
    {
        await Employees.AddAsync(NewEmployee());

        var error = await Assert.ThrowsAsync<DuplicateKeyException>(() => Employees.AddAsync(new Employee { Id = 1, Name = "x", Address = "y" }));

        Assert.Equal("id", error.Field);
    }

    [Fact]
    public async Task Update_DuplicateUniqueValue_ThrowsConflictAndKeepsBoth()
    {
        var users = Users;
        await users.AddAsync(new User { Username = "alice", Email = "a@example.test" });
        var bob = await users.AddAsync(new User { Username = "bob", Email = "b@example.test" });

        bob.Username = "alice";
        var error = await Assert.ThrowsAsync<DuplicateKeyException>(() => users.UpdateAsync(bob));

        Assert.Equal("username", error.Field);
        Assert.Equal(1, bob.Version);
        Assert.Equal("bob", (await users.GetAsync(bob.Id))!.Username);
    }

    [Fact]
    public async Task Update_CurrentVersion_IncrementsVersionAndUpdatedAtKeepsCreatedAt()
    {
        var employee = await Employees.AddAsync(NewEmployee());
        var createdAt = employee.CreatedAt;
        Time.Advance(TimeSpan.FromMinutes(5));

        employee.Name = "Ada Lovelace";
        var updated = await Employees.UpdateAsync(employee);

        Assert.Equal(2, updated.Version);
        Assert.Equal(createdAt, updated.CreatedAt);
        Assert.Equal(createdAt.AddMinutes(5), updated.UpdatedAt);
        var read = await Employees.GetAsync(employee.Id);
        Assert.Equal("Ada Lovelace", read!.Name);
        Assert.Equal(2, read.Version);
        Assert.Equal(createdAt, read.CreatedAt);
    }

    [Fact]
    public async Task Update_EntityBuiltFromARequestBody_KeepsTheStoredCreatedAt()
    {
        var employee = await Employees.AddAsync(NewEmployee());

        var replacement = new Employee { Id = employee.Id, Name = "New", Address = "Elsewhere" };
        var updated = await Employees.UpdateAsync(replacement, expectedVersion: 1);

        Assert.Equal(employee.CreatedAt, updated.CreatedAt);
        Assert.Equal(employee.CreatedAt, (await Employees.GetAsync(employee.Id))!.CreatedAt);
    }

    [Fact]
    public async Task Update_ClearingAProperty_RemovesItsStoredValue()
    {
        var employee = NewEmployee();
        employee.Department = "R&D";
        await Employees.AddAsync(employee);

        employee.Department = null;
        await Employees.UpdateAsync(employee);

        Assert.Null((await Employees.GetAsync(employee.Id))!.Department);
    }

    [Fact]
    public async Task Update_StaleIfMatch_Throws412AndChangesNothing()
    {
        var employee = await Employees.AddAsync(NewEmployee());
        employee.Name = "first";
        await Employees.UpdateAsync(employee);

        var stale = new Employee { Id = employee.Id, Name = "second", Address = "x" };
        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Employees.UpdateAsync(stale, expectedVersion: 1));

        Assert.Equal(412, error.StatusCode);
        Assert.Equal(ProblemCodes.PreconditionFailed, error.Code);
        Assert.Equal(1, error.ExpectedVersion);
        Assert.Equal(2, error.CurrentVersion);
        Assert.Equal("\"2\"", error.Extensions["currentETag"]);
        Assert.Equal("first", (await Employees.GetAsync(employee.Id))!.Name);
    }

    [Fact]
    public async Task Update_StaleEntityVersionWithoutIfMatch_Throws409()
    {
        var employee = await Employees.AddAsync(NewEmployee());
        var copy = (await Employees.GetAsync(employee.Id))!;
        employee.Name = "winner";
        await Employees.UpdateAsync(employee);

        copy.Name = "loser";
        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Employees.UpdateAsync(copy));

        Assert.Equal(409, error.StatusCode);
        Assert.Equal(DataProblemCodes.ConcurrencyConflict, error.Code);
        Assert.Equal(1, copy.Version);
        Assert.Equal("winner", (await Employees.GetAsync(employee.Id))!.Name);
    }

    [Fact]
    public async Task Update_NoMatchTag_Throws412()
    {
        var employee = await Employees.AddAsync(NewEmployee());

        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Employees.UpdateAsync(employee, EntityTag.ParseIfMatch("W/\"1\"")));

        Assert.Equal(412, error.StatusCode);
    }

    [Fact]
    public async Task Update_Missing_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => Employees.UpdateAsync(new Employee { Id = 9, Name = "x", Address = "y", Version = 1 }));

        Assert.Equal(404, error.StatusCode);
    }

    [Fact]
    public async Task Update_Invalid_ThrowsValidationAndChangesNothing()
    {
        var employee = await Employees.AddAsync(NewEmployee());

        employee.Name = "";
        await Assert.ThrowsAsync<ValidationException>(() => Employees.UpdateAsync(employee));

        Assert.Equal("Ada", (await Employees.GetAsync(employee.Id))!.Name);
        Assert.Equal(1, employee.Version);
    }

    [Fact]
    public async Task Delete_Existing_RemovesItAndReturnsTrue()
    {
        var employee = await Employees.AddAsync(NewEmployee());

        Assert.True(await Employees.DeleteAsync(employee.Id));

        Assert.False(await Employees.ExistsAsync(employee.Id));
        Assert.False(await Employees.DeleteAsync(employee.Id));
    }

    [Fact]
    public async Task Delete_WithStaleVersion_Throws412AndKeepsIt()
    {
        var employee = await Employees.AddAsync(NewEmployee());
        await Employees.UpdateAsync(employee);

        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Employees.DeleteAsync(employee.Id, expectedVersion: 1));

        Assert.Equal(412, error.StatusCode);
        Assert.True(await Employees.ExistsAsync(employee.Id));
        Assert.True(await Employees.DeleteAsync(employee.Id, expectedVersion: 2));
        Assert.False(await Employees.DeleteAsync(employee.Id, expectedVersion: 2));
    }

    [Fact]
    public async Task ExistsAnyCountFind_AnswerFromTheStoredEntities()
    {
        await Employees.AddManyAsync([NewEmployee("a"), NewEmployee("b"), NewEmployee("b")]);

        Assert.True(await Employees.ExistsAsync(1));
        Assert.False(await Employees.ExistsAsync(4));
        Assert.True(await Employees.AnyAsync(e => e.Name == "b"));
        Assert.False(await Employees.AnyAsync(e => e.Name == "z"));
        Assert.Equal(3, await Employees.CountAsync());
        Assert.Equal(2, await Employees.CountAsync(e => e.Name == "b"));
        Assert.Equal([2, 3], (await Employees.FindAsync(e => e.Name == "b")).Select(e => e.Id));
        Assert.Single(await Employees.FindAsync(e => e.Name == "b", limit: 1));
        Assert.Equal(1, (await Employees.FindOneAsync(e => e.Name == "a"))!.Id);
        Assert.Null(await Employees.FindOneAsync(e => e.Name == "z"));
    }

    [Fact]
    public async Task AddMany_StoresAllWithVersionsAndIds()
    {
        var many = Enumerable.Range(0, 500).Select(i => NewEmployee("e" + i)).ToList();

        var count = await Employees.AddManyAsync(many);

        Assert.Equal(500, count);
        Assert.Equal(Enumerable.Range(1, 500), many.Select(e => e.Id));
        Assert.All(many, e => Assert.Equal(1, e.Version));
        Assert.Equal(500, await Employees.CountAsync());
    }

    [Fact]
    public async Task AddMany_OneDuplicate_StoresNone()
    {
        var users = Users;
        await users.AddAsync(new User { Username = "taken", Email = "t@example.test" });

        var batch = new[]
        {
            new User { Username = "new1", Email = "1@example.test" },
            new User { Username = "taken", Email = "2@example.test" },
        };
        var error = await Assert.ThrowsAsync<DuplicateKeyException>(() => users.AddManyAsync(batch));

        Assert.Equal("username", error.Field);
        Assert.Equal(1, await users.CountAsync());
    }

    [Fact]
    public async Task AddMany_OneInvalid_StoresNoneAndNamesItsPosition()
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => Employees.AddManyAsync([NewEmployee(), NewEmployee(name: "")]));

        Assert.Contains("[1].name", error.Errors.Keys);
        Assert.Equal(0, await Employees.CountAsync());
    }

    [Fact]
    public async Task Page_ReturnsTheRequestedSliceAndTotal()
    {
        await Employees.AddManyAsync(Enumerable.Range(1, 45).Select(i => NewEmployee($"e{i:D2}")));

        var page = await Employees.PageAsync(new PageRequest<Employee>(2, 20));

        Assert.Equal(2, page.Page);
        Assert.Equal(20, page.PageSize);
        Assert.Equal(45, page.Total);
        Assert.Equal(Enumerable.Range(21, 20), page.Items.Select(e => e.Id));
    }

    [Fact]
    public async Task Page_LastPartialPage_HoldsTheRest()
    {
        await Employees.AddManyAsync(Enumerable.Range(1, 45).Select(i => NewEmployee($"e{i:D2}")));

        var page = await Employees.PageAsync(new PageRequest<Employee>(3, 20));

        Assert.Equal(Enumerable.Range(41, 5), page.Items.Select(e => e.Id));
        Assert.Equal(45, page.Total);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(int.MaxValue)]
    public async Task Page_PastTheEnd_IsEmptyWithTheTotal(int pageNumber)
    {
        await Employees.AddManyAsync(Enumerable.Range(1, 45).Select(i => NewEmployee($"e{i:D2}")));

        var page = await Employees.PageAsync(new PageRequest<Employee>(pageNumber, 20));

        Assert.Empty(page.Items);
        Assert.Equal(45, page.Total);
        Assert.Equal(pageNumber, page.Page);
    }

    [Fact]
    public async Task Page_EmptyCollection_IsEmptyWithTotalZero()
    {
        var page = await Employees.PageAsync(new PageRequest<Employee>(1, 20));

        Assert.Empty(page.Items);
        Assert.Equal(0, page.Total);
    }

    [Theory]
    [InlineData(1, 0, "pageSize")]
    [InlineData(1, 101, "pageSize")]
    [InlineData(1, -5, "pageSize")]
    [InlineData(0, 20, "page")]
    [InlineData(-1, 20, "page")]
    public async Task Page_OutOfRange_ThrowsA400NamingTheParameter(int pageNumber, int pageSize, string field)
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => Employees.PageAsync(new PageRequest<Employee>(pageNumber, pageSize)));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal([field], error.Errors.Keys);
        Assert.Equal(field == "page" ? "must be 1 or more" : "must be 1 to 100", Assert.Single(error.Errors[field]));
    }

    [Fact]
    public async Task Page_FilterAndSort_AreApplied()
    {
        await Employees.AddManyAsync([NewEmployee("carol", "x"), NewEmployee("alice", "y"), NewEmployee("bob", "x"), NewEmployee("dave", "x")]);

        var page = await Employees.PageAsync(new PageRequest<Employee>(1, 2) { Filter = e => e.Address == "x", OrderBy = e => e.Name });
        var descending = await Employees.PageAsync(new PageRequest<Employee>(1, 10) { OrderBy = e => e.Name, Descending = true });

        Assert.Equal(["bob", "carol"], page.Items.Select(e => e.Name));
        Assert.Equal(3, page.Total);
        Assert.Equal(["dave", "carol", "bob", "alice"], descending.Items.Select(e => e.Name));
    }

    [Fact]
    public async Task Page_DescendingWithoutOrderBy_OrdersByIdDescending()
    {
        await Employees.AddManyAsync(Enumerable.Range(1, 5).Select(i => NewEmployee($"e{i}")));

        var page = await Employees.PageAsync(new PageRequest<Employee>(1, 3) { Descending = true });

        Assert.Equal([5, 4, 3], page.Items.Select(e => e.Id));
    }

    [Fact]
    public async Task Operations_CanceledToken_ThrowBeforeTouchingTheDatabase()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Employees.AddAsync(NewEmployee(), cancellation.Token));

        Assert.Equal(0, await Employees.CountAsync());
    }

    [Fact]
    public async Task Modify_SixteenConcurrentUnconditional_AllSucceedAndNoneIsLost()
    {
        var employee = await Employees.AddAsync(new Employee { Name = "counter", Address = "0" });

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => Employees.ModifyAsync(employee.Id, Increment))));

        var stored = await Employees.GetAsync(employee.Id);
        Assert.Equal("16", stored!.Address);
        Assert.Equal(17, stored.Version);
        Assert.Equal(Enumerable.Range(2, 16).Select(v => (long)v), results.Select(r => r.Version).Order());
    }

    [Fact]
    public async Task Modify_CurrentExpectedVersion_UpdatesOnce()
    {
        var employee = await Employees.AddAsync(new Employee { Name = "Ada", Address = "London" });

        var updated = await Employees.ModifyAsync(employee.Id, e => e.Address = "Paris", expectedVersion: 1);

        Assert.Equal(2, updated.Version);
        Assert.Equal("Paris", (await Employees.GetAsync(employee.Id))!.Address);
    }

    [Fact]
    public async Task Modify_StaleExpectedVersion_Throws412AndChangesNothing()
    {
        var employee = await Employees.AddAsync(new Employee { Name = "Ada", Address = "London" });
        await Employees.ModifyAsync(employee.Id, e => e.Address = "Paris");
        var applied = false;

        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Employees.ModifyAsync(employee.Id, e => (applied, e.Address) = (true, "Rome"), expectedVersion: 1));

        Assert.Equal(412, error.StatusCode);
        Assert.Equal(ProblemCodes.PreconditionFailed, error.Code);
        Assert.False(applied);
        var stored = await Employees.GetAsync(employee.Id);
        Assert.Equal(("Paris", 2L), (stored!.Address, stored.Version));
    }

    [Fact]
    public async Task Modify_Missing_Throws404()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => Employees.ModifyAsync(404, e => e.Address = "x"));

        Assert.Equal(404, error.StatusCode);
    }

    [Fact]
    public async Task Modify_ChangeThatBreaksValidation_Throws400AndChangesNothing()
    {
        var employee = await Employees.AddAsync(new Employee { Name = "Ada", Address = "London" });

        await Assert.ThrowsAsync<ValidationException>(() => Employees.ModifyAsync(employee.Id, e => e.Name = ""));

        var stored = await Employees.GetAsync(employee.Id);
        Assert.Equal(("Ada", 1L), (stored!.Name, stored.Version));
    }

    [Fact]
    public async Task Modify_ChangeThatThrows_ChangesNothingAndTheRepositoryStaysUsable()
    {
        var employee = await Employees.AddAsync(new Employee { Name = "Ada", Address = "London" });

        await Assert.ThrowsAsync<PreconditionFailedException>(
            () => Employees.ModifyAsync(employee.Id, e => throw new PreconditionFailedException("the caller's own check")));
        var updated = await Employees.ModifyAsync(employee.Id, e => e.Address = "Paris");

        Assert.Equal(2, updated.Version);
    }

    private static void Increment(Employee employee) =>
        employee.Address = (int.Parse(employee.Address, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
}

using LiteDB;
using Microservice.Kit.Data;
using Microservice.Kit.Problems;

namespace Microservice.Kit.Tests.Data;

public sealed class LiteDbRepositoryTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly IRepository<Employee, int> _employees;

    public LiteDbRepositoryTests() => _employees = TestRepositories.Employees(_db.Context);

    public void Dispose() => _db.Dispose();

    private static Employee NewEmployee(string name = "Ada", string address = "1 Main St") => new() { Name = name, Address = address };

    [Fact]
    public async Task GenericEntity_DefaultCollectionName_IsItsNameAndTypeArguments_AndWorks()
    {
        var audits = TestRepositories.Create<Audit<Employee>, int>(_db.Context);

        var added = await audits.AddAsync(new Audit<Employee> { Action = "created" });

        Assert.Equal("Audit_Employee", new EntityTypeBuilder<Audit<Employee>>().Build().CollectionName);
        Assert.Equal(1, _db.Context.Database.GetCollection("Audit_Employee").Count());
        Assert.Equal("created", (await audits.GetAsync(added.Id))!.Action);
    }

    [Theory]
    [InlineData("")]
    [InlineData("employees-v2")]
    [InlineData("$system")]
    [InlineData("a b")]
    [InlineData("1st")]
    public void CollectionName_NotLettersDigitsOrUnderscore_IsRejectedWhenDeclared(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new EntityTypeBuilder<Audit<Employee>>().ToCollection(name));

        Assert.Equal("name", error.ParamName);
        Assert.Contains("ASCII letters, digits and '_'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_AssignsIdVersionOneAndTimestampsFromTheClock()
    {
        var employee = await _employees.AddAsync(NewEmployee());

        Assert.Equal(1, employee.Id);
        Assert.Equal(1, employee.Version);
        var expected = new DateTimeOffset(2026, 11, 28, 9, 30, 15, 123, TimeSpan.Zero);
        Assert.Equal(expected, employee.CreatedAt);
        Assert.Equal(expected, employee.UpdatedAt);
    }

    [Fact]
    public async Task Add_ThenGet_ReturnsTheStoredEntity()
    {
        var added = await _employees.AddAsync(NewEmployee("Grace", "2 Side St"));

        var read = await _employees.GetAsync(added.Id);

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
        Assert.Null(await _employees.GetAsync(42));
    }

    [Fact]
    public async Task Add_AssignsIncreasingIntIds()
    {
        var first = await _employees.AddAsync(NewEmployee("a"));
        var second = await _employees.AddAsync(NewEmployee("b"));

        Assert.Equal(first.Id + 1, second.Id);
    }

    [Fact]
    public async Task Add_AutoIds_WorkForGuidLongAndObjectId()
    {
        var book = await TestRepositories.Books(_db.Context).AddAsync(new Book { Title = "Dune" });
        var loan = await TestRepositories.Loans(_db.Context).AddAsync(new Loan { BookId = book.Id, EmployeeId = 1 });
        var note = await TestRepositories.Notes(_db.Context).AddAsync(new Note { Text = "hi" });

        Assert.NotEqual(Guid.Empty, book.Id);
        Assert.Equal(1L, loan.Id);
        Assert.NotNull(note.Id);
        Assert.Equal("Dune", (await TestRepositories.Books(_db.Context).GetAsync(book.Id))!.Title);
        Assert.Equal("hi", (await TestRepositories.Notes(_db.Context).GetAsync(note.Id))!.Text);
    }

    [Fact]
    public async Task Add_Invalid_ThrowsValidationListingEachField()
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => _employees.AddAsync(NewEmployee(name: "", address: new string('x', 1024))));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(["must be 1 to 255 characters"], error.Errors["name"]);
        Assert.Equal(["must be 1 to 1023 characters"], error.Errors["address"]);
        Assert.Equal(0, await _employees.CountAsync());
    }

    [Fact]
    public async Task Add_RepositoryRules_AreApplied()
    {
        var users = TestRepositories.Users(_db.Context);

        var error = await Assert.ThrowsAsync<ValidationException>(() => users.AddAsync(new User { Username = "ab", Email = "nope" }));

        Assert.Equal(["username", "email"], error.Errors.Keys.Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public async Task Add_DuplicateUniqueValue_ThrowsConflictNamingTheField()
    {
        var users = TestRepositories.Users(_db.Context);
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
        var users = TestRepositories.Users(_db.Context);
        await users.AddAsync(new User { Username = "alice", Email = "a@example.test" });

        var error = await Assert.ThrowsAsync<DuplicateKeyException>(() => users.AddAsync(new User { Username = "bob", Email = "a@example.test" }));

        Assert.Equal("emailAddress", error.Field);
    }

    [Fact]
    public async Task Add_ExplicitExistingId_ThrowsConflictOnId()
    {
        await _employees.AddAsync(NewEmployee());

        var error = await Assert.ThrowsAsync<DuplicateKeyException>(() => _employees.AddAsync(new Employee { Id = 1, Name = "x", Address = "y" }));

        Assert.Equal("id", error.Field);
    }

    [Fact]
    public async Task Update_DuplicateUniqueValue_ThrowsConflictAndKeepsBoth()
    {
        var users = TestRepositories.Users(_db.Context);
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
        var employee = await _employees.AddAsync(NewEmployee());
        var createdAt = employee.CreatedAt;
        _db.Time.Advance(TimeSpan.FromMinutes(5));

        employee.Name = "Ada Lovelace";
        var updated = await _employees.UpdateAsync(employee);

        Assert.Equal(2, updated.Version);
        Assert.Equal(createdAt, updated.CreatedAt);
        Assert.Equal(createdAt.AddMinutes(5), updated.UpdatedAt);
        var read = await _employees.GetAsync(employee.Id);
        Assert.Equal("Ada Lovelace", read!.Name);
        Assert.Equal(2, read.Version);
        Assert.Equal(createdAt, read.CreatedAt);
    }

    [Fact]
    public async Task Update_EntityBuiltFromARequestBody_KeepsTheStoredCreatedAt()
    {
        var employee = await _employees.AddAsync(NewEmployee());

        var replacement = new Employee { Id = employee.Id, Name = "New", Address = "Elsewhere" };
        var updated = await _employees.UpdateAsync(replacement, expectedVersion: 1);

        Assert.Equal(employee.CreatedAt, updated.CreatedAt);
        Assert.Equal(employee.CreatedAt, (await _employees.GetAsync(employee.Id))!.CreatedAt);
    }

    [Fact]
    public async Task Update_ClearingAProperty_RemovesItsStoredValue()
    {
        var employee = NewEmployee();
        employee.Department = "R&D";
        await _employees.AddAsync(employee);

        employee.Department = null;
        await _employees.UpdateAsync(employee);

        Assert.Null((await _employees.GetAsync(employee.Id))!.Department);
    }

    [Fact]
    public async Task Update_StaleIfMatch_Throws412AndChangesNothing()
    {
        var employee = await _employees.AddAsync(NewEmployee());
        employee.Name = "first";
        await _employees.UpdateAsync(employee);

        var stale = new Employee { Id = employee.Id, Name = "second", Address = "x" };
        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _employees.UpdateAsync(stale, expectedVersion: 1));

        Assert.Equal(412, error.StatusCode);
        Assert.Equal(ProblemCodes.PreconditionFailed, error.Code);
        Assert.Equal(1, error.ExpectedVersion);
        Assert.Equal(2, error.CurrentVersion);
        Assert.Equal("\"2\"", error.Extensions["currentETag"]);
        Assert.Equal("first", (await _employees.GetAsync(employee.Id))!.Name);
    }

    [Fact]
    public async Task Update_StaleEntityVersionWithoutIfMatch_Throws409()
    {
        var employee = await _employees.AddAsync(NewEmployee());
        var copy = (await _employees.GetAsync(employee.Id))!;
        employee.Name = "winner";
        await _employees.UpdateAsync(employee);

        copy.Name = "loser";
        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _employees.UpdateAsync(copy));

        Assert.Equal(409, error.StatusCode);
        Assert.Equal(DataProblemCodes.ConcurrencyConflict, error.Code);
        Assert.Equal(1, copy.Version);
        Assert.Equal("winner", (await _employees.GetAsync(employee.Id))!.Name);
    }

    [Fact]
    public async Task Update_NoMatchTag_Throws412()
    {
        var employee = await _employees.AddAsync(NewEmployee());

        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _employees.UpdateAsync(employee, EntityTag.ParseIfMatch("W/\"1\"")));

        Assert.Equal(412, error.StatusCode);
    }

    [Fact]
    public async Task Update_Missing_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => _employees.UpdateAsync(new Employee { Id = 9, Name = "x", Address = "y", Version = 1 }));

        Assert.Equal(404, error.StatusCode);
    }

    [Fact]
    public async Task Update_Invalid_ThrowsValidationAndChangesNothing()
    {
        var employee = await _employees.AddAsync(NewEmployee());

        employee.Name = "";
        await Assert.ThrowsAsync<ValidationException>(() => _employees.UpdateAsync(employee));

        Assert.Equal("Ada", (await _employees.GetAsync(employee.Id))!.Name);
        Assert.Equal(1, employee.Version);
    }

    [Fact]
    public async Task Delete_Existing_RemovesItAndReturnsTrue()
    {
        var employee = await _employees.AddAsync(NewEmployee());

        Assert.True(await _employees.DeleteAsync(employee.Id));

        Assert.False(await _employees.ExistsAsync(employee.Id));
        Assert.False(await _employees.DeleteAsync(employee.Id));
    }

    [Fact]
    public async Task Delete_WithStaleVersion_Throws412AndKeepsIt()
    {
        var employee = await _employees.AddAsync(NewEmployee());
        await _employees.UpdateAsync(employee);

        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _employees.DeleteAsync(employee.Id, expectedVersion: 1));

        Assert.Equal(412, error.StatusCode);
        Assert.True(await _employees.ExistsAsync(employee.Id));
        Assert.True(await _employees.DeleteAsync(employee.Id, expectedVersion: 2));
        Assert.False(await _employees.DeleteAsync(employee.Id, expectedVersion: 2));
    }

    [Fact]
    public async Task ExistsAnyCountFind_AnswerFromTheStoredEntities()
    {
        await _employees.AddManyAsync([NewEmployee("a"), NewEmployee("b"), NewEmployee("b")]);

        Assert.True(await _employees.ExistsAsync(1));
        Assert.False(await _employees.ExistsAsync(4));
        Assert.True(await _employees.AnyAsync(e => e.Name == "b"));
        Assert.False(await _employees.AnyAsync(e => e.Name == "z"));
        Assert.Equal(3, await _employees.CountAsync());
        Assert.Equal(2, await _employees.CountAsync(e => e.Name == "b"));
        Assert.Equal([2, 3], (await _employees.FindAsync(e => e.Name == "b")).Select(e => e.Id));
        Assert.Single(await _employees.FindAsync(e => e.Name == "b", limit: 1));
        Assert.Equal(1, (await _employees.FindOneAsync(e => e.Name == "a"))!.Id);
        Assert.Null(await _employees.FindOneAsync(e => e.Name == "z"));
    }

    [Fact]
    public async Task AddMany_StoresAllWithVersionsAndIds()
    {
        var many = Enumerable.Range(0, 500).Select(i => NewEmployee("e" + i)).ToList();

        var count = await _employees.AddManyAsync(many);

        Assert.Equal(500, count);
        Assert.Equal(Enumerable.Range(1, 500), many.Select(e => e.Id));
        Assert.All(many, e => Assert.Equal(1, e.Version));
        Assert.Equal(500, await _employees.CountAsync());
    }

    [Fact]
    public async Task AddMany_OneDuplicate_StoresNone()
    {
        var users = TestRepositories.Users(_db.Context);
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
        var error = await Assert.ThrowsAsync<ValidationException>(() => _employees.AddManyAsync([NewEmployee(), NewEmployee(name: "")]));

        Assert.Contains("[1].name", error.Errors.Keys);
        Assert.Equal(0, await _employees.CountAsync());
    }

    [Fact]
    public async Task Page_ReturnsTheRequestedSliceAndTotal()
    {
        await _employees.AddManyAsync(Enumerable.Range(1, 45).Select(i => NewEmployee($"e{i:D2}")));

        var page = await _employees.PageAsync(new PageRequest<Employee>(2, 20));

        Assert.Equal(2, page.Page);
        Assert.Equal(20, page.PageSize);
        Assert.Equal(45, page.Total);
        Assert.Equal(Enumerable.Range(21, 20), page.Items.Select(e => e.Id));
    }

    [Fact]
    public async Task Page_LastPartialPage_HoldsTheRest()
    {
        await _employees.AddManyAsync(Enumerable.Range(1, 45).Select(i => NewEmployee($"e{i:D2}")));

        var page = await _employees.PageAsync(new PageRequest<Employee>(3, 20));

        Assert.Equal(Enumerable.Range(41, 5), page.Items.Select(e => e.Id));
        Assert.Equal(45, page.Total);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(int.MaxValue)]
    public async Task Page_PastTheEnd_IsEmptyWithTheTotal(int pageNumber)
    {
        await _employees.AddManyAsync(Enumerable.Range(1, 45).Select(i => NewEmployee($"e{i:D2}")));

        var page = await _employees.PageAsync(new PageRequest<Employee>(pageNumber, 20));

        Assert.Empty(page.Items);
        Assert.Equal(45, page.Total);
        Assert.Equal(pageNumber, page.Page);
    }

    [Fact]
    public async Task Page_EmptyCollection_IsEmptyWithTotalZero()
    {
        var page = await _employees.PageAsync(new PageRequest<Employee>(1, 20));

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
        var error = await Assert.ThrowsAsync<ValidationException>(() => _employees.PageAsync(new PageRequest<Employee>(pageNumber, pageSize)));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal([field], error.Errors.Keys);
        Assert.Equal(field == "page" ? "must be 1 or more" : "must be 1 to 100", Assert.Single(error.Errors[field]));
    }

    [Fact]
    public async Task Page_FilterAndSort_AreApplied()
    {
        await _employees.AddManyAsync([NewEmployee("carol", "x"), NewEmployee("alice", "y"), NewEmployee("bob", "x"), NewEmployee("dave", "x")]);

        var page = await _employees.PageAsync(new PageRequest<Employee>(1, 2) { Filter = e => e.Address == "x", OrderBy = e => e.Name });
        var descending = await _employees.PageAsync(new PageRequest<Employee>(1, 10) { OrderBy = e => e.Name, Descending = true });

        Assert.Equal(["bob", "carol"], page.Items.Select(e => e.Name));
        Assert.Equal(3, page.Total);
        Assert.Equal(["dave", "carol", "bob", "alice"], descending.Items.Select(e => e.Name));
    }

    [Fact]
    public async Task Page_DescendingWithoutOrderBy_OrdersByIdDescending()
    {
        await _employees.AddManyAsync(Enumerable.Range(1, 5).Select(i => NewEmployee($"e{i}")));

        var page = await _employees.PageAsync(new PageRequest<Employee>(1, 3) { Descending = true });

        Assert.Equal([5, 4, 3], page.Items.Select(e => e.Id));
    }

    [Fact]
    public async Task Page_MaxPageSizeFromOptions_IsTheLimit()
    {
        using var db = new TestDatabase(maxPageSize: 10);
        var employees = TestRepositories.Employees(db.Context);

        await employees.PageAsync(new PageRequest<Employee>(1, 10));
        var error = await Assert.ThrowsAsync<ValidationException>(() => employees.PageAsync(new PageRequest<Employee>(1, 11)));

        Assert.Equal("must be 1 to 10", Assert.Single(error.Errors["pageSize"]));
    }

    [Fact]
    public async Task Operations_CanceledToken_ThrowBeforeTouchingTheDatabase()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _employees.AddAsync(NewEmployee(), cancellation.Token));

        Assert.Equal(0, await _employees.CountAsync());
    }

    [Fact]
    public async Task Indexes_AreCreatedOnTheCollection()
    {
        await TestRepositories.Users(_db.Context).CountAsync();

        var indexes = _db.Context.Database.GetCollection("$indexes").Find("collection = 'User'").Select(d => (d["name"].AsString, d["unique"].AsBoolean)).ToList();

        Assert.Contains(("Username", true), indexes);
        Assert.Contains(("Email", true), indexes);
    }

    [Fact]
    public async Task Entity_IsStoredAsAPlainDocumentWithDates()
    {
        var employee = await _employees.AddAsync(NewEmployee());

        var document = _db.Context.Database.GetCollection("Employee").FindById(employee.Id);

        Assert.True(document["CreatedAt"].IsDateTime);
        Assert.Equal(1L, document["Version"].AsInt64);
    }
}

public sealed class Audit<TSubject> : Entity<int>
{
    public string Action { get; set; } = "";
}

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
    public async Task Page_MaxPageSizeFromOptions_IsTheLimit()
    {
        using var db = new TestDatabase(maxPageSize: 10);
        var employees = TestRepositories.Employees(db.Context);

        await employees.PageAsync(new PageRequest<Employee>(1, 10));
        var error = await Assert.ThrowsAsync<ValidationException>(() => employees.PageAsync(new PageRequest<Employee>(1, 11)));

        Assert.Equal("must be 1 to 10", Assert.Single(error.Errors["pageSize"]));
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

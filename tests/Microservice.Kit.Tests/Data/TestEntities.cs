using LiteDB;
using Microservice.Kit.Data;
using Microsoft.Extensions.Time.Testing;

namespace Microservice.Kit.Tests.Data;

public sealed class Employee : Entity<int>, IValidatableEntity
{
    public string Name { get; set; } = "";

    public string Address { get; set; } = "";

    public string? Department { get; set; }

    public void Validate(ValidationErrors errors)
    {
        errors.Length(Name, "name", 1, 255);
        errors.Length(Address, "address", 1, 1023);
    }
}

public sealed class EmployeeRepository(LiteDbContext db) : LiteDbRepository<Employee, int>(db)
{
    protected override void ConfigureIndexes(IndexBuilder<Employee> indexes) => indexes.Add(e => e.Name);
}

public sealed class User : Entity<int>
{
    public string Username { get; set; } = "";

    public string Email { get; set; } = "";
}

public sealed class UserRepository(LiteDbContext db) : LiteDbRepository<User, int>(db)
{
    protected override void ConfigureIndexes(IndexBuilder<User> indexes) =>
        indexes.Unique(u => u.Username).Unique(u => u.Email, field: "emailAddress");

    protected override void Validate(User user, ValidationErrors errors) =>
        errors.Length(user.Username, "username", 3, 64).Check(user.Email.Contains('@', StringComparison.Ordinal), "email", "must be an email address");
}

public sealed class Book : Entity<Guid>
{
    public string Title { get; set; } = "";

    public bool OnLoan { get; set; }
}

public sealed class BookRepository(LiteDbContext db) : LiteDbRepository<Book, Guid>(db);

public sealed class Loan : Entity<long>
{
    public Guid BookId { get; set; }

    public int EmployeeId { get; set; }
}

public sealed class LoanRepository(LiteDbContext db) : LiteDbRepository<Loan, long>(db)
{
    protected override void ConfigureIndexes(IndexBuilder<Loan> indexes) => indexes.Unique(l => l.BookId);
}

public sealed class Note : Entity<ObjectId>
{
    public string Text { get; set; } = "";
}

public sealed class NoteRepository(LiteDbContext db) : LiteDbRepository<Note, ObjectId>(db);

/// <summary>A fresh in-memory database per test, with a fake clock.</summary>
public sealed class TestDatabase : IDisposable
{
    public TestDatabase(string connectionString = ":memory:", int maxPageSize = 100)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 30, 15, 123, TimeSpan.Zero).AddTicks(4567));
        Context = new LiteDbContext(new LiteDbOptions { ConnectionString = connectionString, MaxPageSize = maxPageSize }, Time);
    }

    public FakeTimeProvider Time { get; }

    public LiteDbContext Context { get; }

    public void Dispose() => Context.Dispose();
}

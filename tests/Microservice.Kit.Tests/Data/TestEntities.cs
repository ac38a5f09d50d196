using LiteDB;
using Microservice.Kit.Data;
using Microservice.Kit.Data.Internal;
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

public sealed class EmployeeDefinition : IEntityDefinition<Employee>
{
    public void Configure(EntityTypeBuilder<Employee> entity) => entity.HasIndex(e => e.Name);
}

public sealed class User : Entity<int>
{
    public string Username { get; set; } = "";

    public string Email { get; set; } = "";
}

public sealed class UserDefinition : IEntityDefinition<User>
{
    public void Configure(EntityTypeBuilder<User> entity) => entity
        .HasUniqueIndex(u => u.Username)
        .HasUniqueIndex(u => u.Email, field: "emailAddress")
        .Validate(static (u, errors) =>
            errors.Length(u.Username, "username", 3, 64).Check(u.Email.Contains('@', StringComparison.Ordinal), "email", "must be an email address"));
}

public sealed class Book : Entity<Guid>
{
    public string Title { get; set; } = "";

    public bool OnLoan { get; set; }
}


public sealed class Loan : Entity<long>
{
    public Guid BookId { get; set; }

    public int EmployeeId { get; set; }
}

public sealed class LoanDefinition : IEntityDefinition<Loan>
{
    public void Configure(EntityTypeBuilder<Loan> entity) => entity.HasUniqueIndex(l => l.BookId);
}

public sealed class Note : Entity<ObjectId>
{
    public string Text { get; set; } = "";
}

/// <summary>Repositories over a <see cref="LiteDbContext"/> without a host: the core's repository on the LiteDB backend, as AddRepository builds it.</summary>
public static class TestRepositories
{
    public static IRepository<TEntity, TId> Create<TEntity, TId>(LiteDbContext context, Action<EntityTypeBuilder<TEntity>>? configure = null)
        where TEntity : class, IEntity<TId>
    {
        var builder = new EntityTypeBuilder<TEntity>();
        configure?.Invoke(builder);
        return new Repository<TEntity, TId>(new LiteDbBackend(context), builder.Build(), context.TimeProvider, context.Logger);
    }

    public static IRepository<TEntity, TId> Create<TEntity, TId, TDefinition>(LiteDbContext context)
        where TEntity : class, IEntity<TId>
        where TDefinition : IEntityDefinition<TEntity>, new() => Create<TEntity, TId>(context, new TDefinition().Configure);

    public static IRepository<Employee, int> Employees(LiteDbContext context) => Create<Employee, int, EmployeeDefinition>(context);

    public static IRepository<User, int> Users(LiteDbContext context) => Create<User, int, UserDefinition>(context);

    public static IRepository<Book, Guid> Books(LiteDbContext context) => Create<Book, Guid>(context);

    public static IRepository<Loan, long> Loans(LiteDbContext context) => Create<Loan, long, LoanDefinition>(context);

    public static IRepository<Note, ObjectId> Notes(LiteDbContext context) => Create<Note, ObjectId>(context);
}

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

using Microservice.Kit.Data;

namespace Library.Service.Books;

/// <summary>A book, and its loan while it is lent: one document, so "already lent" is decided by one versioned update.</summary>
internal sealed class Book : Entity<int>
{
    public string Title { get; set; } = string.Empty;

    public string Author { get; set; } = string.Empty;

    public string Isbn { get; set; } = string.Empty;

    public Loan? Loan { get; set; }
}

internal sealed class Loan
{
    public int EmployeeId { get; set; }

    /// <summary>The borrower's name as Employees had it when the book was lent.</summary>
    public string EmployeeName { get; set; } = string.Empty;

    public DateTimeOffset LoanedAt { get; set; }
}

/// <summary>How books are stored, on any backend: the <c>books</c> collection and their rules.</summary>
internal sealed class BookDefinition : IEntityDefinition<Book>
{
    public void Configure(EntityTypeBuilder<Book> entity) => entity
        .ToCollection("books")
        .Validate(static (b, errors) =>
        {
            errors.Length(b.Title?.Trim(), "title", 1, 500);
            errors.Length(b.Author?.Trim(), "author", 1, 500);
            errors.Length(b.Isbn?.Trim(), "isbn", 1, 32);
        });
}

internal sealed record BookBody(string? Title, string? Author, string? Isbn);

internal sealed record BookResponse(int Id, string Title, string Author, string Isbn, LoanResponse? Loan)
{
    public static BookResponse From(Book b) => new(b.Id, b.Title, b.Author, b.Isbn, b.Loan is null ? null : LoanResponse.From(b.Id, b.Loan));
}

internal sealed record LoanBody(int? EmployeeId);

internal sealed record LoanResponse(int BookId, int EmployeeId, string EmployeeName, DateTimeOffset LoanedAt)
{
    public static LoanResponse From(int bookId, Loan loan) => new(bookId, loan.EmployeeId, loan.EmployeeName, loan.LoanedAt);
}

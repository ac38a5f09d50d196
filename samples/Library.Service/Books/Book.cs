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

internal sealed class BookRepository(LiteDbContext context) : LiteDbRepository<Book, int>(context, "books")
{
    protected override void Validate(Book book, ValidationErrors errors)
    {
        errors.Length(book.Title?.Trim(), "title", 1, 500);
        errors.Length(book.Author?.Trim(), "author", 1, 500);
        errors.Length(book.Isbn?.Trim(), "isbn", 1, 32);
    }
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

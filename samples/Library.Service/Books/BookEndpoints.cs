using Microservice.Kit.Data;
using Microservice.Kit.Problems;

namespace Library.Service.Books;

/// <summary><c>/api/v1/books</c> and <c>/api/v1/books/{id}/loans</c>.</summary>
internal static class BookEndpoints
{
    public static void MapBookEndpoints(this IEndpointRouteBuilder app)
    {
        var books = app.MapGroup("/api/v1/books").WithTags("Books");

        books.MapPost("/", async (BookBody body, IRepository<Book, int> repository, CancellationToken cancellationToken) =>
            {
                var book = await repository.AddAsync(new Book { Title = body.Title!, Author = body.Author!, Isbn = body.Isbn! }, cancellationToken);
                return Results.Created($"/api/v1/books/{book.Id}", BookResponse.From(book));
            })
            .RequirePermission(Permissions.BooksWrite);

        books.MapGet("/{id:int}", async (int id, IRepository<Book, int> repository, CancellationToken cancellationToken) =>
                BookResponse.From(await GetAsync(repository, id, cancellationToken)))
            .RequirePermission(Permissions.BooksRead);

        books.MapGet("/", async (IRepository<Book, int> repository, CancellationToken cancellationToken, int page = 1, int pageSize = 20) =>
                (await repository.PageAsync(new PageRequest<Book>(page, pageSize) { OrderBy = b => b.Id }, cancellationToken)).Map(BookResponse.From))
            .RequirePermission(Permissions.BooksRead);

        books.MapDelete("/{id:int}", async (int id, IRepository<Book, int> repository, CancellationToken cancellationToken) =>
                await repository.DeleteAsync(id, cancellationToken: cancellationToken) ? Results.NoContent() : throw BookNotFound(id))
            .RequirePermission(Permissions.BooksWrite);

        books.MapPost("/{id:int}/loans", LendAsync).RequirePermission(Permissions.BooksWrite);
        books.MapDelete("/{id:int}/loans", GiveBackAsync).RequirePermission(Permissions.BooksWrite);
    }

    /// <summary>
    /// Lends a book: the borrower is looked up in Employees with the caller's own token. An unknown employee is a
    /// 422; Employees down or slow is a 503 within the client's total timeout (at once while its circuit is open).
    /// </summary>
    private static async Task<IResult> LendAsync(
        int id, LoanBody body, IRepository<Book, int> repository, EmployeesClient employees, TimeProvider time, CancellationToken cancellationToken)
    {
        var employeeId = body.EmployeeId ?? throw new ValidationException("employeeId", "is required");
        var book = await GetAsync(repository, id, cancellationToken);
        if (book.Loan is not null)
        {
            throw AlreadyLent(id);
        }

        var employee = await employees.FindAsync(employeeId, cancellationToken)
            ?? throw new KitException(StatusCodes.Status422UnprocessableEntity, "EmployeeNotFound", "Employee not found", $"Employee {employeeId} does not exist in Employees.");

        book.Loan = new Loan { EmployeeId = employee.Id, EmployeeName = employee.Name, LoanedAt = time.GetUtcNow() };
        try
        {
            // The version read above guards the update: of two concurrent loans of one book, only one is kept.
            await repository.UpdateAsync(book, cancellationToken: cancellationToken);
        }
        catch (ConcurrencyConflictException e)
        {
            throw new ConflictException($"Book {id} was lent or changed meanwhile.", "BookAlreadyLent", e);
        }

        return Results.Created($"/api/v1/books/{id}", LoanResponse.From(id, book.Loan));   // the book shows its loan
    }

    private static async Task<IResult> GiveBackAsync(int id, IRepository<Book, int> repository, CancellationToken cancellationToken)
    {
        var book = await GetAsync(repository, id, cancellationToken);
        if (book.Loan is null)
        {
            throw new NotFoundException($"Book {id} is not lent.", "LoanNotFound");
        }

        book.Loan = null;
        await repository.UpdateAsync(book, cancellationToken: cancellationToken);
        return Results.NoContent();
    }

    private static async Task<Book> GetAsync(IRepository<Book, int> repository, int id, CancellationToken cancellationToken) =>
        await repository.GetAsync(id, cancellationToken) ?? throw BookNotFound(id);

    private static NotFoundException BookNotFound(int id) => new($"Book {id} does not exist.", "BookNotFound");

    private static ConflictException AlreadyLent(int id) => new($"Book {id} is already lent.", "BookAlreadyLent");
}

using Microservice.Kit.Data;
using Microservice.Kit.Problems;

namespace Microservice.Kit.Tests.Data;

public sealed class LiteDbTransactionTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly IRepository<Book, Guid> _books;
    private readonly IRepository<Loan, long> _loans;

    public LiteDbTransactionTests()
    {
        _books = TestRepositories.Books(_db.Context);
        _loans = TestRepositories.Loans(_db.Context);
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task InTransaction_Success_CommitsEveryChangeAcrossRepositories()
    {
        var book = await _books.AddAsync(new Book { Title = "Dune" });

        var loan = _db.Context.InTransaction(tx =>
        {
            var stored = tx.For(_books).GetById(book.Id)!;
            stored.OnLoan = true;
            tx.For(_books).Update(stored);
            return tx.For(_loans).Add(new Loan { BookId = book.Id, EmployeeId = 7 });
        });

        Assert.True((await _books.GetAsync(book.Id))!.OnLoan);
        Assert.Equal(2, (await _books.GetAsync(book.Id))!.Version);
        Assert.Equal(7, (await _loans.GetAsync(loan.Id))!.EmployeeId);
    }

    [Fact]
    public async Task InTransaction_BodyThrows_RollsBackEverything()
    {
        var book = await _books.AddAsync(new Book { Title = "Dune" });
        await _books.AddAsync(new Book { Title = "Emma" });

        var error = Assert.Throws<InvalidOperationException>(() => _db.Context.InTransaction(tx =>
        {
            var stored = tx.For(_books).GetById(book.Id)!;
            stored.OnLoan = true;
            tx.For(_books).Update(stored);
            tx.For(_books).Add(new Book { Title = "Added in the transaction" });
            tx.For(_books).Delete(book.Id);
            tx.For(_loans).Add(new Loan { BookId = book.Id, EmployeeId = 7 });
            Assert.Equal(0, tx.For(_books).Count(b => b.Title == "Dune"));
            throw new InvalidOperationException("payment failed");
        }));

        Assert.Equal("payment failed", error.Message);
        var after = await _books.GetAsync(book.Id);
        Assert.NotNull(after);
        Assert.False(after.OnLoan);
        Assert.Equal(1, after.Version);
        Assert.Equal(2, await _books.CountAsync());
        Assert.False(await _books.AnyAsync(b => b.Title == "Added in the transaction"));
        Assert.Equal(0, await _loans.CountAsync());
    }

    [Fact]
    public async Task InTransaction_ReadsSeeItsOwnWrites()
    {
        var seen = _db.Context.InTransaction(tx =>
        {
            var book = tx.For(_books).Add(new Book { Title = "Inside" });
            return (tx.For(_books).Exists(book.Id), tx.For(_books).FindOne(b => b.Title == "Inside")?.Id == book.Id, tx.For(_books).Find(b => b.Title == "Inside").Count);
        });

        Assert.Equal((true, true, 1), seen);
        Assert.Equal(1, await _books.CountAsync());
    }

    [Fact]
    public async Task InTransaction_UniqueViolationCaughtInsideTheBody_StillRollsBack()
    {
        var first = await _books.AddAsync(new Book { Title = "One" });
        await _loans.AddAsync(new Loan { BookId = first.Id, EmployeeId = 1 });

        var error = Assert.Throws<InvalidOperationException>(() => _db.Context.InTransaction(tx =>
        {
            tx.For(_books).Add(new Book { Title = "Two" });
            try
            {
                tx.For(_loans).Add(new Loan { BookId = first.Id, EmployeeId = 2 });
            }
            catch (DuplicateKeyException)
            {
                // swallowed on purpose: the transaction must not commit half of the work anyway
            }

            return 0;
        }));

        Assert.IsType<DuplicateKeyException>(error.InnerException);
        Assert.Equal(1, await _books.CountAsync());
        Assert.Equal(1, await _loans.CountAsync());
    }

    [Fact]
    public async Task InTransaction_StaleVersion_ThrowsAndRollsBack()
    {
        var book = await _books.AddAsync(new Book { Title = "Dune" });
        await _books.UpdateAsync(book);

        Assert.Throws<ConcurrencyConflictException>(() => _db.Context.InTransaction(tx =>
        {
            tx.For(_books).Add(new Book { Title = "Other" });
            tx.For(_books).Update(new Book { Id = book.Id, Title = "stale" }, expectedVersion: 1);
        }));

        Assert.Equal(1, await _books.CountAsync());
        Assert.Equal("Dune", (await _books.GetAsync(book.Id))!.Title);
    }

    [Fact]
    public async Task InTransactionAsync_RunsTheBodyAndCommits()
    {
        var book = await _db.Context.InTransactionAsync(tx => tx.For(_books).Add(new Book { Title = "Async" }));

        Assert.Equal("Async", (await _books.GetAsync(book.Id))!.Title);
    }

    [Fact]
    public void InTransaction_AsyncLambda_IsRejectedBeforeRunning()
    {
        var ran = false;
        Action<LiteDbTransaction> asyncVoid = async tx =>
        {
            ran = true;
            await Task.Yield();
            tx.For(_books).Add(new Book { Title = "never" });
        };

        var error = Assert.Throws<ArgumentException>(() => _db.Context.InTransaction(asyncVoid));

        Assert.False(ran);
        Assert.Contains("synchronous", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InTransaction_BodyReturningATask_IsRejectedBeforeRunning()
    {
        var ran = false;

        var asyncLambda = Record.Exception(() =>
        {
            _db.Context.InTransaction(async tx =>
            {
                ran = true;
                await Task.Yield();
                tx.For(_books).Add(new Book { Title = "never" });
            });
        });
        var taskResult = Record.Exception(() =>
        {
            _db.Context.InTransaction(tx =>
            {
                ran = true;
                return Task.CompletedTask;
            });
        });
        await Assert.ThrowsAsync<ArgumentException>(() => _db.Context.InTransactionAsync(tx => ValueTask.CompletedTask));

        Assert.IsType<ArgumentException>(asyncLambda);
        Assert.IsType<ArgumentException>(taskResult);
        Assert.False(ran);
        Assert.Equal(0, await _books.CountAsync());
    }

    [Fact]
    public async Task InTransaction_AsyncRepositoryMethodInsideTheBody_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => _db.Context.InTransaction(tx =>
        {
            tx.For(_books).Add(new Book { Title = "x" });
            return _books.CountAsync().GetAwaiter().GetResult();
        }));

        Assert.Contains("inside a transaction body", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await _books.CountAsync());
    }

    [Fact]
    public async Task InTransaction_UsedOnAnotherThread_Throws()
    {
        Exception? error = null;
        _db.Context.InTransaction(tx =>
        {
            var thread = new Thread(() => error = Record.Exception(() => tx.For(_books).Add(new Book { Title = "other thread" })));
            thread.Start();
            thread.Join();
        });

        Assert.IsType<InvalidOperationException>(error);
        Assert.Equal(0, await _books.CountAsync());
    }

    [Fact]
    public async Task InTransaction_TransactionUsedAfterTheBody_Throws()
    {
        IRepositoryTransaction<Book, Guid>? leaked = null;
        _db.Context.InTransaction(tx => leaked = tx.For(_books));

        Assert.Throws<InvalidOperationException>(() => leaked!.Add(new Book { Title = "late" }));
        Assert.Equal(0, await _books.CountAsync());
    }

    [Fact]
    public async Task InTransaction_Nested_JoinsTheOuterTransaction()
    {
        Assert.Throws<NotFoundException>(() => _db.Context.InTransaction(tx =>
        {
            tx.For(_books).Add(new Book { Title = "outer" });
            _db.Context.InTransaction(inner => inner.For(_loans).Add(new Loan { BookId = Guid.NewGuid(), EmployeeId = 1 }));
            throw new NotFoundException("rollback all");
        }));

        Assert.Equal(0, await _books.CountAsync());
        Assert.Equal(0, await _loans.CountAsync());
    }

    [Fact]
    public void For_RepositoryOfAnotherDatabase_Throws()
    {
        using var other = new TestDatabase();
        var otherLoans = TestRepositories.Loans(other.Context);

        Assert.Throws<InvalidOperationException>(() => _db.Context.InTransaction(tx => tx.For(otherLoans)));
    }
}

using Microservice.Kit.Data;
using Microservice.Kit.PostgreSql.Internal;
using Microservice.Kit.Problems;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Microservice.Kit.Tests.PostgreSql.Data;

public sealed class PgPerson : Entity<int>
{
    public string Name { get; set; } = "";

    public string? Email { get; set; } = Guid.NewGuid().ToString("N") + "@example.org";

    public string? Nickname { get; set; }

    public int Age { get; set; }

    public bool Active { get; set; }

    public PgColor Color { get; set; }

    public PgAddress? Address { get; set; }

    public List<string> Tags { get; set; } = [];
}

public sealed class PgAddress
{
    public string City { get; set; } = "";
}

public enum PgColor
{
    Red,
    Green,
}

public sealed class PgBook : Entity<Guid>
{
    public string Title { get; set; } = "";
}

public sealed class PgCounter : Entity<long>
{
    public int Count { get; set; }
}

/// <summary>A service with the PostgreSQL backend on a database of its own, started (so migrated) once per test class.</summary>
public sealed class PostgreSqlRepositoryFixture : IAsyncLifetime
{
    public IHost Host { get; private set; } = null!;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 9, 30, 15, 123, TimeSpan.Zero));

    public string ConnectionString { get; private set; } = "";

    public IRepository<PgPerson, int> People => Host.Services.GetRequiredService<IRepository<PgPerson, int>>();

    public IRepository<PgBook, Guid> Books => Host.Services.GetRequiredService<IRepository<PgBook, Guid>>();

    public IRepository<PgCounter, long> Counters => Host.Services.GetRequiredService<IRepository<PgCounter, long>>();

    public async Task InitializeAsync()
    {
        if (TestServers.PostgreSqlUnavailableReason is not null)
        {
            return;
        }

        ConnectionString = TestServers.CreatePostgreSqlDatabase();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Db"] = ConnectionString });
        builder.Services.AddSingleton<TimeProvider>(Time);
        builder.AddMicroserviceKit()
            .AddPostgreSql("Db", o => o.Schema = "svc")
            .AddRepository<PgPerson, int>(e => e.ToCollection("people").HasUniqueIndex(p => p.Email, "email").HasIndex(p => p.Address!.City))
            .AddRepository<PgBook, Guid>()
            .AddRepository<PgCounter, long>();
        Host = builder.Build();
        await Host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.StopAsync();
            Host.Dispose();
        }
    }
}

public sealed class PostgreSqlRepositoryTests(PostgreSqlRepositoryFixture fixture) : IClassFixture<PostgreSqlRepositoryFixture>
{
    [PostgreSqlFact]
    public async Task Add_IdentityIdsVersionOneAndStamps_ReadBackEqual()
    {
        var added = await fixture.People.AddAsync(new PgPerson { Name = "Ann", Email = "ann@x", Address = new() { City = "Oslo" }, Tags = ["a"] });

        var read = await fixture.People.GetAsync(added.Id);

        Assert.True(added.Id > 0);
        Assert.NotNull(read);
        Assert.Equal(1, read.Version);
        Assert.Equal(fixture.Time.GetUtcNow(), read.CreatedAt);
        Assert.Equal(TimeSpan.Zero, read.CreatedAt.Offset);
        Assert.Equal(read.CreatedAt, read.UpdatedAt);
        Assert.Equal(("Ann", "ann@x", "Oslo", "a"), (read.Name, read.Email, read.Address!.City, read.Tags.Single()));
    }

    [PostgreSqlFact]
    public async Task Add_GuidId_IsAssignedAndFound()
    {
        var book = await fixture.Books.AddAsync(new PgBook { Title = "Dune" });

        Assert.NotEqual(Guid.Empty, book.Id);
        Assert.Equal(7, book.Id.Version);
        Assert.Equal("Dune", (await fixture.Books.GetAsync(book.Id))!.Title);
    }

    [PostgreSqlFact]
    public async Task Add_TakenUniqueValue_IsDuplicateKeyNamingTheField()
    {
        await fixture.People.AddAsync(new PgPerson { Name = "Bo", Email = "bo@x" });

        var error = await Assert.ThrowsAsync<DuplicateKeyException>(() => fixture.People.AddAsync(new PgPerson { Name = "Bo2", Email = "bo@x" }));

        Assert.Equal("email", error.Field);
    }

    [PostgreSqlFact]
    public async Task Add_TakenId_IsDuplicateKeyNamingId()
    {
        var book = await fixture.Books.AddAsync(new PgBook { Title = "One" });

        var error = await Assert.ThrowsAsync<DuplicateKeyException>(() => fixture.Books.AddAsync(new PgBook { Id = book.Id, Title = "Two" }));

        Assert.Equal("id", error.Field);
    }

    [PostgreSqlFact]
    public async Task Add_SecondNullInAUniqueIndex_IsADuplicateAsInLiteDb()
    {
        await fixture.People.AddAsync(new PgPerson { Name = "No mail", Email = null });

        var error = await Assert.ThrowsAsync<DuplicateKeyException>(() => fixture.People.AddAsync(new PgPerson { Name = "No mail either", Email = null }));

        Assert.Equal("email", error.Field);
    }

    [PostgreSqlFact]
    public async Task AddMany_OneDuplicate_StoresNone()
    {
        var before = await fixture.People.CountAsync();
        var batch = new[] { new PgPerson { Name = "M1", Email = "m@x" }, new PgPerson { Name = "M2", Email = "m@x" } };

        await Assert.ThrowsAsync<DuplicateKeyException>(() => fixture.People.AddManyAsync(batch));

        Assert.Equal(before, await fixture.People.CountAsync());
        Assert.All(batch, p => Assert.Equal(0, p.Id));
    }

    [PostgreSqlFact]
    public async Task Update_StaleIfMatch_Is412_AndTheStoredCreatedAtStays()
    {
        var person = await fixture.People.AddAsync(new PgPerson { Name = "Cy" });
        var created = person.CreatedAt;
        fixture.Time.Advance(TimeSpan.FromSeconds(5));
        person.Name = "Cy2";
        person.CreatedAt = DateTimeOffset.UnixEpoch;

        var updated = await fixture.People.UpdateAsync(person, expectedVersion: 1);
        var stale = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => fixture.People.UpdateAsync(person, expectedVersion: 1));

        Assert.Equal(2, updated.Version);
        Assert.Equal(created, updated.CreatedAt);
        Assert.Equal(created + TimeSpan.FromSeconds(5), (await fixture.People.GetAsync(person.Id))!.UpdatedAt);
        Assert.Equal(412, stale.StatusCode);
        Assert.Equal(2, stale.CurrentVersion);
    }

    [PostgreSqlFact]
    public async Task Update_Missing_Is404()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => fixture.People.UpdateAsync(new PgPerson { Id = int.MaxValue, Name = "x", Version = 1 }));
    }

    [PostgreSqlFact]
    public async Task Delete_StaleVersion_Is412_ThenTheRightOneDeletes()
    {
        var person = await fixture.People.AddAsync(new PgPerson { Name = "Di" });

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => fixture.People.DeleteAsync(person.Id, expectedVersion: 7));

        Assert.True(await fixture.People.DeleteAsync(person.Id, expectedVersion: 1));
        Assert.False(await fixture.People.DeleteAsync(person.Id));
        Assert.False(await fixture.People.ExistsAsync(person.Id));
    }

    [PostgreSqlFact]
    public async Task Modify_ConcurrentIncrements_EachAppliedExactlyOnce()
    {
        var counter = await fixture.Counters.AddAsync(new PgCounter());
        var applied = 0;

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => fixture.Counters.ModifyAsync(counter.Id, c =>
        {
            Interlocked.Increment(ref applied);
            c.Count++;
        }))));

        var stored = await fixture.Counters.GetAsync(counter.Id);
        Assert.Equal(16, stored!.Count);
        Assert.Equal(17, stored.Version);
        Assert.Equal(16, applied);
    }

    [PostgreSqlFact]
    public async Task Page_TotalsAndOrder_AndPastTheEndIsEmptyWithTheTotal()
    {
        var tag = "page-" + Guid.NewGuid().ToString("N");
        await fixture.People.AddManyAsync(Enumerable.Range(1, 45).Select(i => new PgPerson { Name = $"P{i:D2}", Email = $"{tag}-{i}@x", Tags = [tag], Age = i }));

        var first = await fixture.People.PageAsync(new PageRequest<PgPerson>(1, 20) { Filter = p => p.Tags.Contains(tag), OrderBy = p => p.Age, Descending = true });
        var last = await fixture.People.PageAsync(new PageRequest<PgPerson>(3, 20) { Filter = p => p.Tags.Contains(tag), OrderBy = p => p.Name });
        var past = await fixture.People.PageAsync(new PageRequest<PgPerson>(9, 20) { Filter = p => p.Tags.Contains(tag) });

        Assert.Equal(45, first.Total);
        Assert.Equal(Enumerable.Range(26, 20).Reverse(), first.Items.Select(p => p.Age));
        Assert.Equal(["P41", "P42", "P43", "P44", "P45"], last.Items.Select(p => p.Name));
        Assert.Empty(past.Items);
        Assert.Equal(45, past.Total);
    }

    [PostgreSqlFact]
    public async Task Filters_TheSupportedExpressions_MatchWhatLinqToObjectsSays()
    {
        var tag = "filter-" + Guid.NewGuid().ToString("N");
        var people = new[]
        {
            new PgPerson { Name = "After Eight", Nickname = null, Age = 30, Active = true, Color = PgColor.Green, Address = new() { City = "Oslo" }, Tags = [tag, "x"] },
            new PgPerson { Name = "Before", Nickname = tag + "@b", Age = 20, Active = false, Color = PgColor.Red, Address = null, Tags = [tag] },
            new PgPerson { Name = "after all", Nickname = "", Age = 40, Active = true, Color = PgColor.Red, Address = new() { City = "Bergen" }, Tags = [tag, "y"] },
        };
        await fixture.People.AddManyAsync(people);
        var minAge = 25;
        var names = new List<string> { "Before", "after all" };
        var since = fixture.Time.GetUtcNow().AddMinutes(-1);
        var firstId = people[0].Id;

        async Task Check(System.Linq.Expressions.Expression<Func<PgPerson, bool>> filter)
        {
            System.Linq.Expressions.Expression<Func<PgPerson, bool>> ours = p => p.Tags.Contains(tag);
            var combined = System.Linq.Expressions.Expression.Lambda<Func<PgPerson, bool>>(
                System.Linq.Expressions.Expression.AndAlso(ours.Body, new ParameterSwap(filter.Parameters[0], ours.Parameters[0]).Visit(filter.Body)), ours.Parameters);
            var expected = people.Where(filter.Compile()).Select(p => p.Name).Order(StringComparer.Ordinal);
            var found = (await fixture.People.FindAsync(combined)).Select(p => p.Name).Order(StringComparer.Ordinal);
            Assert.True(expected.SequenceEqual(found), $"{filter}: expected [{string.Join(", ", expected)}], found [{string.Join(", ", found)}]");
            Assert.Equal(expected.Count(), await fixture.People.CountAsync(combined));
        }

        await Check(p => p.Age >= minAge);
        await Check(p => minAge < p.Age && p.Age < 35);
        await Check(p => p.Age == 20 || p.Name == "after all");
        await Check(p => !(p.Age == 20));
        await Check(p => p.Nickname == null);
        await Check(p => p.Nickname != null);
        await Check(p => p.Active);
        await Check(p => !p.Active);
        await Check(p => p.Color == PgColor.Red);
        await Check(p => p.Address != null && p.Address.City == "Oslo");
        await Check(p => p.Address == null);
        await Check(p => p.Name.StartsWith("After "));
        await Check(p => p.Name.StartsWith("after", StringComparison.OrdinalIgnoreCase));
        await Check(p => p.Name.EndsWith("all"));
        await Check(p => p.Name.Contains("ft"));
        await Check(p => string.IsNullOrEmpty(p.Nickname));
        await Check(p => p.Nickname == "");
        await Check(p => names.Contains(p.Name));
        await Check(p => p.Tags.Contains("y"));
        await Check(p => p.Id == firstId);
        await Check(p => p.Id > firstId);
        await Check(p => p.Version == 1);
        await Check(p => p.CreatedAt > since);
        await Check(p => p.CreatedAt < DateTimeOffset.MinValue.AddYears(1));
        await Check(p => p.Name.Equals("Before"));
    }

    [PostgreSqlFact]
    public async Task Filter_Unsupported_ThrowsNotSupportedNamingTheExpression()
    {
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => fixture.People.FindOneAsync(p => p.Name.Length == 3));

        Assert.Contains("p.Name.Length", error.Message, StringComparison.Ordinal);
    }

    [PostgreSqlFact]
    public async Task UnitOfWork_AllOrNothing_OnOneTransaction()
    {
        var kept = await fixture.People.AddAsync(new PgPerson { Name = "Kept" });
        var book = new PgBook { Title = "In a unit" };
        var failing = fixture.Host.Services.GetRequiredService<UnitOfWork>()
            .Add(fixture.Books, book)
            .Delete(fixture.People, kept.Id, expectedVersion: 9);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => failing.CommitAsync());

        Assert.False(await fixture.Books.AnyAsync(b => b.Title == "In a unit"));
        Assert.True(await fixture.People.ExistsAsync(kept.Id));

        var working = fixture.Host.Services.GetRequiredService<UnitOfWork>()
            .Add(fixture.Books, new PgBook { Title = "In a unit" })
            .Delete(fixture.People, kept.Id, expectedVersion: 1);
        await working.CommitAsync();

        Assert.True(await fixture.Books.AnyAsync(b => b.Title == "In a unit"));
        Assert.False(await fixture.People.ExistsAsync(kept.Id));
    }

    [PostgreSqlFact]
    public async Task Get_Cancelled_ThrowsOperationCanceled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.People.GetAsync(1, cancelled.Token));
    }

    private sealed class ParameterSwap(System.Linq.Expressions.ParameterExpression from, System.Linq.Expressions.ParameterExpression to) : System.Linq.Expressions.ExpressionVisitor
    {
        protected override System.Linq.Expressions.Expression VisitParameter(System.Linq.Expressions.ParameterExpression node) => node == from ? to : node;
    }
}

public sealed class PostgreSqlOutageTests
{
    [PostgreSqlFact]
    public async Task DatabaseDownMidRun_Is503_ThenRecoversWithoutRestart()
    {
        var target = new NpgsqlConnectionStringBuilder(TestServers.CreatePostgreSqlDatabase());
        await using var relay = new TcpRelay(target.Port);
        relay.Start();
        // Npgsql's own timeouts: the outage below is a refused connection and reset sockets, which fail at once, so a
        // short connect timeout would rule nothing out and only fail the first connection of a busy machine.
        var viaRelay = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Port = relay.Port };
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Db"] = viaRelay.ConnectionString });
        builder.AddMicroserviceKit().AddPostgreSql("Db").AddRepository<PgPerson, int>();
        using var host = builder.Build();
        await host.StartAsync();
        var people = host.Services.GetRequiredService<IRepository<PgPerson, int>>();
        var ann = await people.AddAsync(new PgPerson { Name = "Ann" });

        await relay.StopAsync();
        var down = await Assert.ThrowsAsync<DependencyUnavailableException>(() => people.GetAsync(ann.Id));
        var stillDown = await Assert.ThrowsAsync<DependencyUnavailableException>(() => people.AddAsync(new PgPerson { Name = "Bo" }));
        relay.Start();
        var back = await people.GetAsync(ann.Id);

        Assert.Equal(503, down.StatusCode);
        Assert.Equal(503, stillDown.StatusCode);
        Assert.Equal("Ann", back!.Name);
        await host.StopAsync();
    }
}

using System.Collections.Concurrent;
using Microservice.Kit.Data;
using Microservice.Kit.Problems;

namespace Microservice.Kit.Tests.Data;

public sealed class LiteDbConcurrencyTests
{
    [Fact]
    public async Task ManyWorkers_MixedOperationsForSeconds_NoErrorNoLostUpdateNoCorruptRead()
    {
        var directory = Directory.CreateTempSubdirectory("kit-data-concurrency-");
        try
        {
            // A file database: the path the services use, with its log file and checkpoints.
            using (var context = new LiteDbContext(new LiteDbOptions { ConnectionString = Path.Combine(directory.FullName, "load.db") }))
            {
                var employees = TestRepositories.Employees(context);
                var users = TestRepositories.Users(context);
                await employees.AddManyAsync(Enumerable.Range(0, 8).Select(i => new Employee { Name = "counter" + i, Address = "0" }));
                var increments = new long[8];
                var unexpected = new ConcurrentQueue<Exception>();
                var operations = 0L;
                var conflicts = 0L;
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));

                // 16 workers (the gate lets 32 in) on a 2-core machine: more concurrent requests than threads.
                var workers = Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
                {
                    var random = new Random(worker);
                    var name = $"w{worker}";
                    while (!stop.IsCancellationRequested)
                    {
                        try
                        {
                            switch (random.Next(7))
                            {
                                case 0:
                                    var added = await employees.AddAsync(new Employee { Name = $"w{worker}", Address = $"a{worker}" });
                                    var back = await employees.GetAsync(added.Id);
                                    Assert.Equal($"a{worker}", back!.Address);
                                    AssertWhole(back);
                                    break;
                                case 1:
                                    // Read-modify-write on a shared counter: every increment that returned must be kept.
                                    var slot = random.Next(8);
                                    var counter = (await employees.GetAsync(slot + 1))!;
                                    counter.Address = (long.Parse(counter.Address, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                                    try
                                    {
                                        await employees.UpdateAsync(counter);
                                        Interlocked.Increment(ref increments[slot]);
                                    }
                                    catch (ConcurrencyConflictException)
                                    {
                                        Interlocked.Increment(ref conflicts);
                                    }

                                    break;
                                case 2:
                                    var page = await employees.PageAsync(new PageRequest<Employee>(random.Next(1, 5), 20));
                                    Assert.True(page.Items.Count <= 20);
                                    Assert.All(page.Items, AssertWhole);
                                    Assert.True(page.Total >= 8);
                                    break;
                                case 3:
                                    try
                                    {
                                        await users.AddAsync(new User { Username = "user" + random.Next(200), Email = $"{Guid.NewGuid():N}@example.test" });
                                    }
                                    catch (DuplicateKeyException)
                                    {
                                    }

                                    break;
                                case 4:
                                    var victims = await employees.FindAsync(e => e.Name == name, limit: 1);
                                    if (victims.Count == 1)
                                    {
                                        Assert.True(await employees.DeleteAsync(victims[0].Id));
                                    }

                                    break;
                                case 5:
                                    await context.InTransactionAsync(tx =>
                                    {
                                        var first = tx.For(employees).Add(new Employee { Name = $"tx{worker}", Address = "x" });
                                        var second = tx.For(employees).Add(new Employee { Name = $"tx{worker}", Address = "y" });
                                        tx.For(employees).Delete(first.Id);
                                        return second;
                                    });
                                    break;
                                default:
                                    Assert.True(await employees.CountAsync() >= 8);
                                    Assert.True(await employees.ExistsAsync(1));
                                    break;
                            }

                            Interlocked.Increment(ref operations);
                        }
                        catch (Exception exception) when (exception is not KitException || exception is ValidationException)
                        {
                            unexpected.Enqueue(exception);
                        }
                    }
                })).ToArray();

                // What a reader sees is always a whole, committed entity: never the first entity a transaction
                // added and deleted again, never a document without its version or timestamps.
                static void AssertWhole(Employee e)
                {
                    Assert.True(e.Version >= 1 && e.CreatedAt != default && e.UpdatedAt >= e.CreatedAt, $"torn entity {e.Id}");
                    Assert.False(e.Name.StartsWith("tx", StringComparison.Ordinal) && e.Address == "x", "uncommitted transaction state was visible");
                    Assert.Matches("^(counter[0-7]|w[0-9]+|tx[0-9]+)$", e.Name);
                }
                await Task.WhenAll(workers);

                Assert.Empty(unexpected);
                Assert.True(operations > 100, $"only {operations} operations ran");
                for (var slot = 0; slot < 8; slot++)
                {
                    var counter = (await employees.GetAsync(slot + 1))!;
                    Assert.Equal(increments[slot], long.Parse(counter.Address, System.Globalization.CultureInfo.InvariantCulture));
                    Assert.Equal(increments[slot] + 1, counter.Version);
                }
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

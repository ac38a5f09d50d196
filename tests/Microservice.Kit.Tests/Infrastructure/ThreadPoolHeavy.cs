namespace Microservice.Kit.Tests.Infrastructure;

/// <summary>
/// Tests that park thread-pool threads on purpose for many seconds: a full disk leaves LiteDB callers waiting out its
/// 1-minute lock timeout on blocked threads. xUnit runs this collection on its own, after the parallel ones, because
/// on a 2-core machine the pool then grows by about one thread a second, long enough for a loopback call in a test
/// beside it to miss a 5 s attempt timeout three times in a row.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadPoolHeavy
{
    /// <summary>The collection's name, for <c>[Collection(ThreadPoolHeavy.Name)]</c>.</summary>
    public const string Name = "Thread-pool-heavy";
}

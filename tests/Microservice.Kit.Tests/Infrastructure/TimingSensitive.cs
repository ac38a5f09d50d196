namespace Microservice.Kit.Tests.Infrastructure;

/// <summary>
/// Tests whose claims rest on timers firing near their time (attempt and total timeouts, a retry made within the
/// total timeout). xUnit runs this collection on its own, after the parallel ones, so that the rest of the suite's
/// CPU-bound work on this 2-core machine cannot hold their timer callbacks back by seconds (a 1.5 s call once took
/// 8 s and made no retry while the suite ran beside it).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    /// <summary>The collection's name, for <c>[Collection(TimingSensitive.Name)]</c>.</summary>
    public const string Name = "Timing-sensitive";
}

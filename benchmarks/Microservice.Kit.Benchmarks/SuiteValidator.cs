using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Validators;

namespace Microservice.Kit.Benchmarks;

/// <summary>
/// The suite's rules, checked before anything runs: every benchmark class has <see cref="MemoryDiagnoserAttribute"/>
/// and exactly one <c>[Benchmark(Baseline = true)]</c> (one per category where a class groups its benchmarks by
/// category), so that every table shows a ratio and an allocation column.
/// </summary>
internal sealed class SuiteValidator : IValidator
{
    public static readonly SuiteValidator Instance = new();

    public bool TreatsWarningsAsErrors => true;

    public IEnumerable<ValidationError> Validate(ValidationParameters validationParameters)
    {
        foreach (var type in validationParameters.Benchmarks.Select(b => b.Descriptor.Type).Distinct())
        {
            if (type.GetCustomAttribute<MemoryDiagnoserAttribute>(inherit: true) is null)
            {
                yield return new ValidationError(true, $"{type.Name} has no [MemoryDiagnoser].");
            }

            var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Select(m => (Method: m, Benchmark: m.GetCustomAttribute<BenchmarkAttribute>()))
                .Where(m => m.Benchmark is not null)
                .ToList();
            var groups = methods.GroupBy(m => string.Join(",", m.Method.GetCustomAttribute<BenchmarkCategoryAttribute>()?.Categories ?? []));
            foreach (var group in groups)
            {
                var baselines = group.Count(m => m.Benchmark!.Baseline);
                if (baselines != 1)
                {
                    var where = group.Key.Length == 0 ? type.Name : $"{type.Name} category '{group.Key}'";
                    yield return new ValidationError(true, $"{where} has {baselines} benchmarks marked Baseline = true; it needs exactly one.");
                }
            }
        }
    }
}

/// <summary>Turns the run's summaries into an exit code and one line CI can grep.</summary>
internal static class SuiteOutcome
{
    public static int ExitCode(IReadOnlyList<Summary> summaries, string[] args, TextWriter output)
    {
        // --list, --help and friends run nothing and are not failures.
        if (args.Any(a => a is "--list" or "--help" or "-h" or "--info" or "--version"))
        {
            return 0;
        }

        var reports = summaries.SelectMany(s => s.Reports).ToList();
        var cases = summaries.SelectMany(s => s.BenchmarksCases).ToList();
        var failed = reports.Where(r => !r.Success).Select(r => r.BenchmarkCase.DisplayInfo)
            .Concat(cases.Where(c => reports.All(r => r.BenchmarkCase != c)).Select(c => c.DisplayInfo))
            .Distinct()
            .ToList();
        var invalid = summaries.SelectMany(s => s.ValidationErrors).Where(e => e.IsCritical).ToList();
        foreach (var error in invalid)
        {
            output.WriteLine($"// suite: validation error: {error.Message}");
        }

        foreach (var name in failed)
        {
            output.WriteLine($"// suite: FAILED {name}");
        }

        // Skipped for want of a server (never under CI=true): said again here so that the summary cannot hide it.
        foreach (var skipped in BenchmarkServers.SkippedClasses)
        {
            output.WriteLine($"// suite: skipped {skipped}");
        }

        var ok = cases.Count > 0 && failed.Count == 0 && invalid.Count == 0;
        output.WriteLine($"// suite: {cases.Count} benchmark(s), {cases.Count - failed.Count} succeeded, {failed.Count} failed, {invalid.Count} validation error(s): {(ok ? "OK" : "FAILED")}");
        return ok ? 0 : 1;
    }
}

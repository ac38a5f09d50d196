using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;

namespace Microservice.Kit.Benchmarks;

/// <summary>
/// <c>--paired N</c>: runs the selected classes' benchmarks outside BenchmarkDotNet, each non-baseline method right
/// after (or right before, alternately) its category's baseline, N times after one warm-up pair, and prints the medians
/// and the median of the per-pair time ratios. BenchmarkDotNet runs all iterations of one method, then all of the next,
/// so on a machine other work shares a load change between the two blocks moves the ratio; a pair is measured within
/// seconds, so its ratio sees the same load on both sides. For slow, I/O-bound operations (the S3 store); it measures
/// the wall clock of single calls, so it is no substitute for BenchmarkDotNet on fast ones.
/// </summary>
internal static class PairedRun
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var rounds = int.Parse(args[Array.IndexOf(args, "--paired") + 1], CultureInfo.InvariantCulture);
        var globs = args.SkipWhile(a => a is not ("--filter" or "-f")).Skip(1).TakeWhile(a => !a.StartsWith('-')).ToArray();
        var patterns = globs.Select(g => new Regex("^" + Regex.Escape(g).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$")).ToArray();
        var types = typeof(PairedRun).Assembly.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract && Benchmarks(t).Any(m => patterns.Any(p => p.IsMatch($"{t.FullName}.{m.Name}"))))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();
        if (types.Count == 0)
        {
            output.WriteLine("// paired: the filter selected no benchmark class");
            return 1;
        }

        foreach (var type in types)
        {
            foreach (var parameters in ParameterSets(type))
            {
                await RunClassAsync(type, parameters, rounds, output);
            }
        }

        return 0;
    }

    private static IEnumerable<MethodInfo> Benchmarks(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null);

    private static IEnumerable<List<(PropertyInfo Property, object? Value)>> ParameterSets(Type type)
    {
        IEnumerable<List<(PropertyInfo, object?)>> sets = [[]];
        foreach (var property in type.GetProperties().Where(p => p.GetCustomAttribute<ParamsAttribute>() is not null))
        {
            var values = property.GetCustomAttribute<ParamsAttribute>()!.Values;
            sets = sets.SelectMany(set => values.Select(value => new List<(PropertyInfo, object?)>(set) { (property, value) })).ToList();
        }

        return sets;
    }

    private static async Task RunClassAsync(Type type, List<(PropertyInfo Property, object? Value)> parameters, int rounds, TextWriter output)
    {
        var instance = Activator.CreateInstance(type)!;
        foreach (var (property, value) in parameters)
        {
            property.SetValue(instance, value);
        }

        await InvokeMarkedAsync<GlobalSetupAttribute>(instance);
        try
        {
            var label = type.Name + string.Concat(parameters.Select(p => $" {p.Property.Name}={p.Value}"));
            foreach (var group in Benchmarks(type).GroupBy(m => string.Join(",", m.GetCustomAttribute<BenchmarkCategoryAttribute>()?.Categories ?? [])))
            {
                var baseline = group.Single(m => m.GetCustomAttribute<BenchmarkAttribute>()!.Baseline);
                foreach (var other in group.Where(m => m != baseline))
                {
                    var baseTimes = new List<double>();
                    var otherTimes = new List<double>();
                    var ratios = new List<double>();
                    for (var round = 0; round <= rounds; round++)
                    {
                        double b, o;
                        if (round % 2 == 0)
                        {
                            b = await TimeAsync(instance, baseline);
                            o = await TimeAsync(instance, other);
                        }
                        else
                        {
                            o = await TimeAsync(instance, other);
                            b = await TimeAsync(instance, baseline);
                        }

                        if (round > 0)
                        {
                            baseTimes.Add(b);
                            otherTimes.Add(o);
                            ratios.Add(o / b);
                        }
                    }

                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"// paired: {label} {group.Key} {Name(other)} / {Name(baseline)}: medians {Median(otherTimes):F1} / {Median(baseTimes):F1} ms, median pair time ratio {Median(ratios):F3} (throughput {1 / Median(ratios):F3}x), {rounds} pairs"));
                }
            }
        }
        finally
        {
            await InvokeMarkedAsync<GlobalCleanupAttribute>(instance);
        }
    }

    private static string Name(MethodInfo method) => method.GetCustomAttribute<BenchmarkAttribute>()!.Description ?? method.Name;

    private static async Task<double> TimeAsync(object instance, MethodInfo method)
    {
        var clock = Stopwatch.StartNew();
        if (method.Invoke(instance, null) is Task task)
        {
            await task;
        }

        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task InvokeMarkedAsync<TAttribute>(object instance)
        where TAttribute : Attribute
    {
        foreach (var method in instance.GetType().GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null))
        {
            if (method.Invoke(instance, null) is Task task)
            {
                await task;
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

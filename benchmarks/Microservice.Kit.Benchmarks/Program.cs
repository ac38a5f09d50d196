using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using Microservice.Kit.Benchmarks;

// The whole suite:      dotnet run -c Release --project benchmarks/Microservice.Kit.Benchmarks -- --filter '*'
// A quick look:         ... -- --filter '*' --job short
// The smoke run CI does (every benchmark once, in this process): benchmarks/run-dry.sh, i.e.
//                       ... -- --filter '*' --job dry --inProcess
// The exit code is not 0 when any selected benchmark failed, the filter selected none, or the suite's own rules
// (SuiteValidator: [MemoryDiagnoser] and one baseline per comparison) are broken: BenchmarkDotNet itself prints
// such errors and still exits 0.
// --paired N: each benchmark against its baseline in alternating pairs, outside BenchmarkDotNet (PairedRun), for slow
// I/O-bound comparisons on a machine other work shares: ... -- --filter '*S3FileStore*' --paired 12
if (args.Contains("--paired"))
{
    return await PairedRun.RunAsync(args, Console.Out);
}

var config = ManualConfig.Create(DefaultConfig.Instance)
    .WithBuildTimeout(TimeSpan.FromMinutes(10))
    .AddValidator(SuiteValidator.Instance)
    // Classes that need the S3 test server: KIT_TEST_S3 or one started for the run; skipped with the reason when
    // neither can be had, except under CI=true, where they fail (BenchmarkServers).
    .AddFilter(BenchmarkServers.Filter(args));

// --cpu-time: measure the CPU time the process used rather than the wall clock (see ProcessCpuClock), in this
// process, 2 warm-up and 15 measured iterations of 200 ms CPU time each; for comparisons on a machine other work shares.
if (args.Contains("--cpu-time"))
{
    args = [.. args.Where(a => a != "--cpu-time")];
    var cpuTime = new Job("CpuTime").WithToolchain(InProcessEmitToolchain.Instance)
        .WithIterationTime(TimeInterval.FromMilliseconds(200)).WithWarmupCount(2).WithIterationCount(15);
    cpuTime.Infrastructure.Clock = ProcessCpuClock.Instance;
    config = config.AddJob(cpuTime.AsDefault());
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToList();
return SuiteOutcome.ExitCode(summaries, args, Console.Out);

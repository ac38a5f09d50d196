using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Microservice.Kit.Benchmarks;

// The whole suite:      dotnet run -c Release --project benchmarks/Microservice.Kit.Benchmarks -- --filter '*'
// A quick look:         ... -- --filter '*' --job short
// The smoke run CI does (every benchmark once, in this process): benchmarks/run-dry.sh, i.e.
//                       ... -- --filter '*' --job dry --inProcess
// The exit code is not 0 when any selected benchmark failed, the filter selected none, or the suite's own rules
// (SuiteValidator: [MemoryDiagnoser] and one baseline per comparison) are broken: BenchmarkDotNet itself prints
// such errors and still exits 0.
var config = ManualConfig.Create(DefaultConfig.Instance)
    .WithBuildTimeout(TimeSpan.FromMinutes(10))
    .AddValidator(SuiteValidator.Instance);
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToList();
return SuiteOutcome.ExitCode(summaries, args, Console.Out);

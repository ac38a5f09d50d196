using BenchmarkDotNet.Running;

// Runs the benchmarks the filter selects: `-- --filter '*'` for all, `-- --filter '*' --job short` for a quick
// look, `-- --filter '*' --job dry` for the smoke run CI does so that no benchmark can rot.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

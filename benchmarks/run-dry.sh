#!/usr/bin/env bash
# Runs every benchmark once in BenchmarkDotNet's dry mode (one cold invocation, no warm-up) so that none can rot:
# a benchmark that throws, a setup that fails, a class without [MemoryDiagnoser] or without exactly one baseline
# fails this script. In-process (InProcessEmitToolchain): no per-run project build, so no build timeout under load.
# About 1.5 minutes on a 2-core machine. Usage: benchmarks/run-dry.sh [extra BenchmarkDotNet arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

project=benchmarks/Microservice.Kit.Benchmarks
dotnet build "$project" -c Release -warnaserror --nologo -v quiet

log=$(mktemp)
artifacts=$(mktemp -d)
trap 'rm -rf "$log" "$artifacts"' EXIT

# Program.cs turns the summaries into the exit code (BenchmarkDotNet alone exits 0 after a failed benchmark)
# and prints one "// suite: ..." line; the greps below are a second check that does not trust that code alone.
status=0
dotnet run -c Release --no-build --project "$project" -- \
    --filter '*' --job dry --inProcess --artifacts "$artifacts" "$@" 2>&1 | tee "$log" || status=$?

if [[ $status -ne 0 ]]; then
    echo "run-dry: the benchmark run exited with $status" >&2
    exit 1
fi
if ! grep -q '^// suite: .*: OK$' "$log"; then
    echo "run-dry: no successful suite summary line" >&2
    exit 1
fi
if grep -qE '^// Benchmarks with issues:|^// \* (Errors|Validation errors)|Unhandled exception' "$log"; then
    echo "run-dry: BenchmarkDotNet reported a problem (see above)" >&2
    exit 1
fi
grep '^// suite: ' "$log" | tail -n 1

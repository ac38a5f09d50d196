using System.Runtime.InteropServices;
using Perfolizer.Horology;

namespace Microservice.Kit.Benchmarks;

/// <summary>
/// A clock that reads the CPU time this process has used (all its threads: the benchmark, the thread pool, an
/// in-process server, the GC) instead of the wall clock. On a machine other work shares, wall-clock iterations
/// include the time the process waited for a core, which is noise that neither side of a comparison caused; CPU
/// time leaves it out. It does not see time spent waiting for a disk or a socket, so it is for CPU-bound benchmarks
/// (tokens, repository lookups, version reading, the loopback client); file throughput is measured with the wall clock.
/// Linux only (<c>clock_gettime(CLOCK_PROCESS_CPUTIME_ID)</c>, nanoseconds).
/// </summary>
internal sealed partial class ProcessCpuClock : IClock
{
    private const int ClockProcessCpuTimeId = 2;

    public static readonly ProcessCpuClock Instance = new();

    public string Title => "Process CPU time";

    public bool IsAvailable => OperatingSystem.IsLinux();

    public Frequency Frequency => new(1_000_000_000);

    public long GetTimestamp()
    {
        if (ClockGetTime(ClockProcessCpuTimeId, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed.");
        }

        return (time.Seconds * 1_000_000_000) + time.Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}

using System.Collections.Concurrent;

namespace Gateway;

/// <summary>How many requests each replica answered, failed, and had retried elsewhere since the gateway started.</summary>
internal sealed class DestinationCounters
{
    private readonly ConcurrentDictionary<string, Counts> _counts = new(StringComparer.Ordinal);

    public void Answered(string destinationId, bool forwarded)
    {
        var counts = _counts.GetOrAdd(destinationId, _ => new Counts());
        if (forwarded)
        {
            Interlocked.Increment(ref counts.Answered);
        }
        else
        {
            Interlocked.Increment(ref counts.Failed);
        }
    }

    public void Retried(string destinationId) => Interlocked.Increment(ref _counts.GetOrAdd(destinationId, _ => new Counts()).Retried);

    public (long Answered, long Failed, long Retried) Get(string destinationId) =>
        _counts.TryGetValue(destinationId, out var counts)
            ? (Interlocked.Read(ref counts.Answered), Interlocked.Read(ref counts.Failed), Interlocked.Read(ref counts.Retried))
            : (0, 0, 0);

    private sealed class Counts
    {
        public long Answered;
        public long Failed;
        public long Retried;
    }
}

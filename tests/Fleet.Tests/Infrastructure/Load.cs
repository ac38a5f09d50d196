using System.Collections.Concurrent;
using System.Diagnostics;

namespace Fleet.Tests.Infrastructure;

/// <summary>What one request of a load run got: when it was sent and answered (on the run's clock), its status (0: no answer).</summary>
public sealed record Outcome(string Operation, TimeSpan Sent, TimeSpan Answered, int Status, string? Code, string? Error)
{
    public bool Succeeded => Status is >= 200 and < 300;

    public override string ToString() =>
        $"{Operation} sent {Sent.TotalSeconds:F2} s answered {Answered.TotalSeconds:F2} s: {(Status == 0 ? Error : $"{Status} {Code}")}";
}

/// <summary>
/// A steady load: a few workers each send one request at a time in a loop until stopped, through one client (the gateway).
/// Every outcome is kept with its times on one clock, so a test can tell what happened before, during and after a fault.
/// </summary>
public sealed class Load
{
    private readonly ConcurrentQueue<Outcome> _outcomes = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>
    /// The pause between one worker's requests: a steady load of a few hundred requests per second, not a flood that
    /// would starve the rest of a CI run sharing the machine (the faults are what is under test, not the throughput).
    /// </summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The run's clock: mark a fault's start and end on it.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<Outcome> Outcomes => [.. _outcomes.OrderBy(o => o.Sent)];

    /// <summary>
    /// Runs <paramref name="workers"/> loops of <paramref name="operation"/> (given the worker and its iteration; it
    /// returns the operation's name and response) until <paramref name="stop"/> is cancelled, each worker pausing
    /// <see cref="Pause"/> between requests.
    /// </summary>
    public Task RunAsync(int workers, Func<int, int, Task<(string Operation, HttpResponseMessage Response)>> operation, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            for (var iteration = 0; !stop.IsCancellationRequested; iteration++)
            {
                if (iteration > 0)
                {
                    await Task.Delay(Pause, CancellationToken.None);
                }

                var sent = _clock.Elapsed;
                try
                {
                    var (name, response) = await operation(worker, iteration);
                    using (response)
                    {
                        string? code = null;
                        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
                        {
                            code = JsonNode.Parse(await response.Content.ReadAsStringAsync())?["code"]?.GetValue<string>();
                        }

                        _outcomes.Enqueue(new Outcome(name, sent, _clock.Elapsed, (int)response.StatusCode, code, null));
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
                {
                    _outcomes.Enqueue(new Outcome("?", sent, _clock.Elapsed, 0, null, exception.GetType().Name + ": " + exception.Message));
                }
            }
        })));

    /// <summary>A summary line for the test output: counts by status and code.</summary>
    public string Summary() => string.Join(", ", Outcomes.GroupBy(o => o.Status == 0 ? "no answer" : $"{o.Status}{(o.Code is null ? "" : " " + o.Code)}")
        .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} × {g.Count()}"));
}

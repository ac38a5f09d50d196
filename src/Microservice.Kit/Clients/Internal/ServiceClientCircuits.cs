using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace Microservice.Kit.Clients.Internal;

// The circuit's callbacks log rare state changes; CA1873 asks for IsEnabled guards that would not pay for themselves.
#pragma warning disable CA1873

/// <summary>
/// A client's circuit breakers, one per authority (scheme, host and port) so that one failing service never opens
/// the circuit of another; each is a Polly v8 circuit breaker that counts every attempt. They live as long as the
/// container, not the handler: <c>IHttpClientFactory</c> replaces handlers every two minutes, and a circuit must not
/// close because its handler was replaced. Each circuit's state is reported by the
/// <c>microservice_kit.clients.circuit_state</c> gauge while the container lives.
/// </summary>
internal sealed class ServiceClientCircuits : IDisposable
{
    private const string OverflowAuthority = "(other)";

    /// <summary>More authorities than this share one overflow circuit, so that a client fed arbitrary absolute URLs cannot grow without bound.</summary>
    internal const int MaxAuthorities = 64;

    private static readonly ResiliencePropertyKey<ServiceCallState> StateKey = new("Microservice.Kit.Clients.CallState");

    private readonly string _serviceName;
    private readonly ServiceClientCircuitBreakerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Uri? _baseAddress;
    private readonly Circuit _baseCircuit;
    private readonly ConcurrentDictionary<string, Circuit> _others = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lazy<Circuit> _overflow;

    public ServiceClientCircuits(string serviceName, ServiceClientOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _serviceName = serviceName;
        _options = options.CircuitBreaker;
        _timeProvider = timeProvider;
        _logger = logger;
        _baseAddress = options.BaseAddress;
        _baseCircuit = Build(_baseAddress?.GetLeftPart(UriPartial.Authority) ?? OverflowAuthority);
        _overflow = new Lazy<Circuit>(() => Build(OverflowAuthority));
        ClientMetrics.Track(this);
    }

    /// <summary>The client's name.</summary>
    public string ServiceName => _serviceName;

    /// <summary>The call an attempt belongs to, for the circuit's callbacks.</summary>
    public static void SetState(ResilienceContext context, ServiceCallState state) => context.Properties.Set(StateKey, state);

    /// <summary>The circuit of the request's authority.</summary>
    public ResiliencePipeline<HttpResponseMessage> For(Uri? target)
    {
        if (target is null || !target.IsAbsoluteUri || _baseAddress is null
            || (target.Port == _baseAddress.Port && string.Equals(target.Host, _baseAddress.Host, StringComparison.OrdinalIgnoreCase)
                && string.Equals(target.Scheme, _baseAddress.Scheme, StringComparison.OrdinalIgnoreCase)))
        {
            return _baseCircuit.Pipeline;
        }

        var authority = target.GetLeftPart(UriPartial.Authority);
        if (_others.TryGetValue(authority, out var circuit))
        {
            return circuit.Pipeline;
        }

        return (_others.Count >= MaxAuthorities ? _overflow.Value : _others.GetOrAdd(authority, static (authority, self) => self.Build(authority), this)).Pipeline;
    }

    /// <summary>The state of each circuit built so far, by authority (<c>(other)</c> for the overflow circuit).</summary>
    public IEnumerable<(string Authority, CircuitState State)> States()
    {
        yield return (_baseCircuit.Authority, _baseCircuit.State.CircuitState);
        foreach (var circuit in _others.Values)
        {
            yield return (circuit.Authority, circuit.State.CircuitState);
        }

        if (_overflow.IsValueCreated)
        {
            yield return (OverflowAuthority, _overflow.Value.State.CircuitState);
        }
    }

    public void Dispose() => ClientMetrics.Untrack(this);

    private Circuit Build(string authority)
    {
        var serviceName = _serviceName;
        var logger = _logger;
        var state = new CircuitBreakerStateProvider();
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _timeProvider }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                Name = "circuit",
                FailureRatio = _options.FailureRatio,
                MinimumThroughput = _options.MinimumThroughput,
                SamplingDuration = _options.SamplingDuration,
                BreakDuration = _options.BreakDuration,
                StateProvider = state,
                ShouldHandle = args => new ValueTask<bool>(RetryRules.IsTransient(args.Outcome.Result, args.Outcome.Exception)),
                OnOpened = args =>
                {
                    ClientMetrics.CircuitTransitions.Add(1, new TagList { { "service", serviceName }, { "state", "open" } });
                    Log.CircuitOpened(logger, serviceName, AuthorityOf(args.Context), (long)args.BreakDuration.TotalMilliseconds);
                    return default;
                },
                OnHalfOpened = args =>
                {
                    ClientMetrics.CircuitTransitions.Add(1, new TagList { { "service", serviceName }, { "state", "half_open" } });
                    Log.CircuitHalfOpened(logger, serviceName, AuthorityOf(args.Context));
                    return default;
                },
                OnClosed = args =>
                {
                    ClientMetrics.CircuitTransitions.Add(1, new TagList { { "service", serviceName }, { "state", "closed" } });
                    Log.CircuitClosed(logger, serviceName, AuthorityOf(args.Context));
                    return default;
                },
            })
            .Build();
        return new Circuit(authority, pipeline, state);
    }

    private sealed record Circuit(string Authority, ResiliencePipeline<HttpResponseMessage> Pipeline, CircuitBreakerStateProvider State);

    private static string AuthorityOf(ResilienceContext context) =>
        context.Properties.TryGetValue(StateKey, out var state) ? state.Request.RequestUri?.Authority ?? "(unknown)" : "(unknown)";
}

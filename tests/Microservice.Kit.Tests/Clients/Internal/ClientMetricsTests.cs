using Microservice.Kit.Clients;
using Microservice.Kit.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Microservice.Kit.Tests.Clients.Internal;

public sealed class ClientMetricsTests
{
    [Fact]
    public async Task CircuitStateGauge_ReportsTheCircuitClosedThenOpen_AndNothingOnceTheContainerIsDisposed()
    {
        var down = await TestService.DownAddressAsync();
        var name = "gauge-" + Guid.NewGuid().ToString("N")[..8];
        using var gauge = new MetricCollector<int>(KitDiagnostics.Meter, "microservice_kit.clients.circuit_state");
        var harness = ClientTestHarness.Create(down, name: name, configure: o =>
        {
            o.Retry.MaxRetryAttempts = 0;
            o.CircuitBreaker.MinimumThroughput = 3;
            o.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(60);
        });
        var client = harness.Client;

        Assert.Equal(ServiceCallFailure.ConnectionFailed, (await Assert.ThrowsAsync<ServiceCallException>(() => client.GetAsync<Employee>("/employees/1"))).Failure);
        Assert.Equal(0, Observe(gauge, name, down));

        ServiceCallFailure failure = default;
        for (var i = 0; i < 5 && failure != ServiceCallFailure.CircuitOpen; i++)
        {
            failure = (await Assert.ThrowsAsync<ServiceCallException>(() => client.GetAsync<Employee>("/employees/1"))).Failure;
        }

        Assert.Equal(ServiceCallFailure.CircuitOpen, failure);
        Assert.Equal(1, Observe(gauge, name, down));

        await harness.DisposeAsync();
        gauge.Clear();
        gauge.RecordObservableInstruments();
        Assert.DoesNotContain(gauge.GetMeasurementSnapshot(), m => Equals(m.Tags["service"], name));
    }

    private static int Observe(MetricCollector<int> gauge, string service, Uri authority)
    {
        gauge.Clear();
        gauge.RecordObservableInstruments();
        var measurement = Assert.Single(gauge.GetMeasurementSnapshot(), m => Equals(m.Tags["service"], service));
        Assert.Equal(authority.GetLeftPart(UriPartial.Authority), measurement.Tags["authority"]);
        return measurement.Value;
    }
}

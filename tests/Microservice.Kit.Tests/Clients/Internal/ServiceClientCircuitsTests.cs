using Microservice.Kit.Clients;
using Microservice.Kit.Clients.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microservice.Kit.Tests.Clients.Internal;

public sealed class ServiceClientCircuitsTests
{
    private static ServiceClientCircuits Create() =>
        new("employees", new ServiceClientOptions { BaseAddress = new Uri("http://employees:8080/") }, TimeProvider.System, NullLogger.Instance);

    [Fact]
    public void For_TheBaseAuthority_WhateverThePathOrCase_IsOneCircuit()
    {
        var circuits = Create();

        Assert.Same(circuits.For(new Uri("http://employees:8080/a")), circuits.For(new Uri("http://EMPLOYEES:8080/b?c=d")));
        Assert.Same(circuits.For(new Uri("http://employees:8080/")), circuits.For(null));
    }

    [Fact]
    public void For_AnotherHostPortOrScheme_IsAnotherCircuit_SharedByItsOwnRequests()
    {
        var circuits = Create();
        var home = circuits.For(new Uri("http://employees:8080/"));

        var otherPort = circuits.For(new Uri("http://employees:9090/x"));
        var otherHost = circuits.For(new Uri("http://payroll:8080/x"));
        var otherScheme = circuits.For(new Uri("https://employees:8080/x"));

        Assert.NotSame(home, otherPort);
        Assert.NotSame(home, otherHost);
        Assert.NotSame(home, otherScheme);
        Assert.NotSame(otherPort, otherHost);
        Assert.Same(otherHost, circuits.For(new Uri("http://payroll:8080/y")));
    }

    [Fact]
    public void For_MoreAuthoritiesThanTheLimit_ShareOneOverflowCircuit_AndTheKnownOnesKeepTheirs()
    {
        var circuits = Create();
        var first = circuits.For(new Uri("http://host0:1/"));
        for (var i = 1; i < ServiceClientCircuits.MaxAuthorities; i++)
        {
            circuits.For(new Uri($"http://host{i}:1/"));
        }

        var overflowA = circuits.For(new Uri("http://late-a:1/"));
        var overflowB = circuits.For(new Uri("http://late-b:1/"));

        Assert.Same(overflowA, overflowB);
        Assert.Same(first, circuits.For(new Uri("http://host0:1/other")));
        Assert.NotSame(first, overflowA);
    }
}

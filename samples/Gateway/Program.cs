using Gateway;

// One address in front of the Employees replicas: YARP with active health checks on each replica's readiness endpoint,
// passive health from failed forwards, and one retry on another replica for a request that never reached the first.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
builder.Services.AddSingleton<DestinationCounters>();
// The passive policy keeps a replica out for at least its failure-rate window (60 s by default), whatever the configured
// ReactivationPeriod: a restarted replica would wait a minute to rejoin although its probes pass after a second.
builder.Services.Configure<Yarp.ReverseProxy.Health.TransportFailureRateHealthPolicyOptions>(passive => passive.DetectionWindowSize = TimeSpan.FromSeconds(5));

var app = builder.Build();
app.MapGet("/gateway/destinations", DestinationsEndpoint.Get);   // each replica's health and how many answers it gave
app.MapReverseProxy(proxy =>
{
    proxy.Use(UnreachedDestinationRetry.InvokeAsync);            // before load balancing, so a retry picks again
    proxy.UseSessionAffinity();
    proxy.UseLoadBalancing();
    proxy.UsePassiveHealthChecks();
});

app.Run();

using Gateway;

// One address in front of the Employees replicas: YARP with active health checks on each replica's readiness endpoint,
// passive health from failed forwards, and one retry on another replica for a request that never reached the first.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
builder.Services.AddSingleton<DestinationCounters>();

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

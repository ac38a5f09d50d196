using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

// 1. The package holds what we meant to ship and nothing else.
var package = args[0];
var expected = new HashSet<string>(StringComparer.Ordinal)
{
    "Microservice.Kit.nuspec",
    "README.md",
    "lib/net10.0/Microservice.Kit.dll",
    "lib/net10.0/Microservice.Kit.xml",
};
using (var zip = ZipFile.OpenRead(package))
{
    var entries = zip.Entries
        .Select(e => e.FullName)
        .Where(n => !n.StartsWith("_rels/", StringComparison.Ordinal) && !n.StartsWith("package/", StringComparison.Ordinal) && n != "[Content_Types].xml")
        .ToHashSet(StringComparer.Ordinal);
    if (!entries.SetEquals(expected))
    {
        Console.Error.WriteLine("package contents differ from the intended list:");
        foreach (var extra in entries.Except(expected)) Console.Error.WriteLine($"  unexpected: {extra}");
        foreach (var absent in expected.Except(entries)) Console.Error.WriteLine($"  missing:    {absent}");
        return 1;
    }

    using var nuspec = new StreamReader(zip.GetEntry("Microservice.Kit.nuspec")!.Open());
    var text = nuspec.ReadToEnd();
    Console.WriteLine("package dependencies:");
    foreach (var line in text.Split('\n').Where(l => l.Contains("<dependency ", StringComparison.Ordinal) || l.Contains("<frameworkReference ", StringComparison.Ordinal)))
    {
        Console.WriteLine("  " + line.Trim());
    }
}

// 2. A service built on the package starts and answers.
var builder = WebApplication.CreateBuilder();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
builder.AddMicroserviceKit();
var app = builder.Build();
app.UseMicroserviceKit();
app.MapKitEndpoints();
await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
using var client = new HttpClient { BaseAddress = new Uri(address) };
using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
using var missing = await client.GetAsync(new Uri("/nowhere", UriKind.Relative));
await app.StopAsync();
if (live.StatusCode != HttpStatusCode.OK || missing.Content.Headers.ContentType?.MediaType != "application/problem+json")
{
    Console.Error.WriteLine($"consumer service misbehaved: live={live.StatusCode}, 404 content type={missing.Content.Headers.ContentType}");
    return 1;
}

Console.WriteLine("consumer: package contents as intended; AddMicroserviceKit service answered /health/live 200 and a 404 problem");
return 0;

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

    // ... and depends on exactly the packages we chose, each pinned in Directory.Packages.props.
    using var nuspec = zip.GetEntry("Microservice.Kit.nuspec")!.Open();
    var document = System.Xml.Linq.XDocument.Load(nuspec);
    var dependencies = document.Descendants().Where(e => e.Name.LocalName == "dependency")
        .Select(e => (string)e.Attribute("id")!)
        .ToHashSet(StringComparer.Ordinal);
    var intended = new HashSet<string>(StringComparer.Ordinal)
    {
        "LiteDB",
        "Microsoft.AspNetCore.OpenApi",
        "Microsoft.IdentityModel.JsonWebTokens",
        "Microsoft.Extensions.ServiceDiscovery",
        "Microsoft.OpenApi",
        "OpenTelemetry.Exporter.OpenTelemetryProtocol",
        "OpenTelemetry.Extensions.Hosting",
        "OpenTelemetry.Instrumentation.AspNetCore",
        "OpenTelemetry.Instrumentation.Http",
        "OpenTelemetry.Instrumentation.Runtime",
        "Polly.Core",
    };
    Console.WriteLine("package dependencies: " + string.Join(", ", dependencies.Order(StringComparer.Ordinal)));
    if (!dependencies.SetEquals(intended))
    {
        Console.Error.WriteLine("package dependencies differ from the intended list: unexpected "
            + string.Join(", ", dependencies.Except(intended)) + "; missing " + string.Join(", ", intended.Except(dependencies)));
        return 1;
    }

    var frameworks = document.Descendants().Where(e => e.Name.LocalName == "frameworkReference").Select(e => (string)e.Attribute("name")!).ToList();
    if (frameworks is not ["Microsoft.AspNetCore.App"])
    {
        Console.Error.WriteLine("the package must reference ASP.NET Core as a framework and nothing else: " + string.Join(", ", frameworks));
        return 1;
    }
}

// 2. A service built on the package starts and answers.
var builder = WebApplication.CreateBuilder();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
builder.AddMicroserviceKit()
    .AddTokenValidation(UseSecret)
    .AddTokenIssuer(UseSecret)
    .AddApiVersioning()
    .AddLiteDb(o => o.ConnectionString = ":memory:")
    .AddFileStore().UseInMemory();
var app = builder.Build();
app.UseMicroserviceKit();
app.MapKitEndpoints();
app.MapGet("/secret", () => "hidden").RequirePermission("secret.read");
await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
using var client = new HttpClient { BaseAddress = new Uri(address) };
using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
using var missing = await client.GetAsync(new Uri("/nowhere", UriKind.Relative));
using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
using var secret = await client.GetAsync(new Uri("/secret", UriKind.Relative));
await app.StopAsync();
if (live.StatusCode != HttpStatusCode.OK || ready.StatusCode != HttpStatusCode.OK
    || missing.Content.Headers.ContentType?.MediaType != "application/problem+json"
    || secret.StatusCode != HttpStatusCode.Unauthorized)
{
    Console.Error.WriteLine($"consumer service misbehaved: live={live.StatusCode}, ready={ready.StatusCode}, 404 content type={missing.Content.Headers.ContentType}, unauthenticated={secret.StatusCode}");
    return 1;
}

Console.WriteLine("consumer: package contents as intended; a service with every feature answered live 200, ready 200, a 404 problem and a 401");
return 0;

static void UseSecret(Microservice.Kit.Tokens.TokenOptions options)
{
    options.Algorithm = Microservice.Kit.Tokens.TokenSigningAlgorithm.HS256;
    options.Secret = "consumer-check-secret-of-at-least-32-bytes";
}

using System.Net;
using System.Net.Http.Headers;
using Xunit.Abstractions;

namespace Microservice.Kit.Tests.Reliability;

/// <summary>
/// The hostile-request corpus against a real Kestrel service that composes every kit feature: every answer is a
/// 4xx problem (or Kestrel's own empty 414/431), never a 5xx, the service keeps answering, and no log line
/// written meanwhile holds a token, a password or key material.
/// </summary>
public sealed class HostileRequestTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Corpus_AgainstComposedHost_EveryAnswerIs4xxProblemAndNoSecretIsLogged()
    {
        await using var host = await ComposedHost.StartAsync();
        var corpus = HostileCorpus.Generate(host.Target, host.AdminToken, await host.Host.Client.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative)));
        Assert.True(corpus.Count >= 500, $"the corpus has only {corpus.Count} requests");

        var report = await CorpusRunner.RunAsync(host.Host.BaseAddress, corpus, host.AdminToken);
        output.WriteLine(report.Summary());

        Assert.Empty(report.Failures);
        Assert.Equal(corpus.Count, report.Tried);

        // Still serving, and still serving correctly: the seeded employee is there, unchanged in shape.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v2/employees/{host.EmployeeId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminToken);
        using var after = await host.Host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);

        // Nothing the corpus sent was kept in the file store: no file and no temporary file.
        var files = Path.Combine(host.DataPath, "files");
        var kept = Directory.Exists(files) ? Directory.GetFiles(files, "*", SearchOption.AllDirectories) : [];
        Assert.Empty(kept);

        var secrets = new List<(string What, string Value)>
        {
            ("admin password", ComposedHost.AdminPassword),
            ("wrong password", ComposedHost.WrongPassword),
            ("valid token", host.AdminToken),
            ("valid token signature", host.AdminToken.Split('.')[2]),
        };
        secrets.AddRange(host.KeyMaterial().Select(k => ("private key", k)));
        secrets.AddRange(HostileCorpus.TokensIn(corpus).Select(t => ("corpus token", t)));
        var lines = host.LogLines();
        var leaks = SecretScan.Find(lines, secrets);
        output.WriteLine($"log lines scanned: {lines.Count}, secrets looked for: {secrets.Count}, leaks: {leaks.Count}");
        Assert.True(lines.Count > 100, "the log capture saw almost nothing: the scan would prove nothing");
        Assert.Empty(leaks);
    }

    [Fact]
    public void SecretScan_SecretWholeOrSlicedInALine_IsFound()
    {
        // The control for the scan above: it must see a secret logged whole, and a long one logged in part.
        var token = new string('t', 30) + "SIGNATURE-PART-0123456789abcdefghijklmnopqrstuv";
        var leaks = SecretScan.Find(
            ["info: nothing here", "warn: password=Adm1n-pa55word-not-for-logs", "dbug: token tail " + token[24..60]],
            [("password", ComposedHost.AdminPassword), ("token", token), ("absent", "never-logged-secret")]);
        Assert.Equal(2, leaks.Count);
    }
}

using Xunit.Abstractions;

namespace Microservice.Kit.Tests.Reliability;

/// <summary>
/// The charset corpus against a real Kestrel service that composes every kit feature: every IANA charset name,
/// quoted and unquoted, and the generated media types, with a valid body on the login and on an authenticated PUT.
/// 0 × 5xx; the forms equivalent to UTF-8 succeed; UTF-7, unknown and ambiguous charsets are 415.
/// </summary>
public sealed class CharsetCorpusTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CharsetCorpus_AgainstComposedHost_No5xxAndUtf8EquivalentsSucceed()
    {
        await using var host = await ComposedHost.StartAsync();
        using var client = new HttpClient { BaseAddress = host.Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var iana = CharsetCorpus.Iana().ToList();
        var generated = CharsetCorpus.Generated().ToList();
        Assert.True(iana.Count >= 500, $"only {iana.Count} IANA cases: the data file was not found whole");

        var login = await CharsetCorpus.RunAsync(client, HttpMethod.Post, "/api/v1/tokens",
            "{\"username\":\"admin\",\"password\":\"" + ComposedHost.AdminPassword + "\"}", bearer: null, generated);
        var put = await CharsetCorpus.RunAsync(client, HttpMethod.Put, $"/api/v1/employees/{host.EmployeeId}",
            "{\"name\":\"Ada\",\"address\":\"London\"}", host.AdminToken, iana.Concat(generated));
        output.WriteLine($"login: {CharsetCorpus.Summary(login.Statuses)}");
        output.WriteLine($"put:   {CharsetCorpus.Summary(put.Statuses)}");
        foreach (var failure in login.Failures.Concat(put.Failures).Take(40))
        {
            output.WriteLine("FAIL " + failure);
        }

        Assert.Empty(login.Failures);
        Assert.Empty(put.Failures);
        Assert.True(login.Statuses.GetValueOrDefault(200) >= 20, "the UTF-8 equivalents did not log in");
    }
}

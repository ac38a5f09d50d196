namespace Samples.Tests.Employees;

/// <summary>Row: <c>GET /health/live</c>, <c>GET /health/ready</c>: 200, and 503 when not ready.</summary>
[Collection(EmployeesServiceGroup.Name)]
public sealed class HealthTests(EmployeesFixture fixture)
{
    [Fact]
    public async Task Ready_WhenItsStoresWork_Returns200Healthy()
    {
        using var ready = await fixture.Client.GetAsync("/health/ready");
        var body = await ready.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Healthy", body["status"]!.GetValue<string>());
    }

    [EmbeddedBackendFact] // moves the data directory's files folder away; on the shared backends the files are in S3
    public async Task Ready_WhenTheFileStoreIsGone_Returns503_AndLiveStays200()
    {
        // The sample keeps stored files in <data>/files. Tests of this collection run one at a time, so moving
        // the folder away for a moment disturbs no other test; it is moved back whatever happens.
        var files = Path.Combine(fixture.Data.Path, "files");
        var away = files + ".away";
        Directory.CreateDirectory(files);
        Directory.Move(files, away);
        try
        {
            using var ready = await fixture.Client.GetAsync("/health/ready");
            var body = await ready.Content.ReadAsStringAsync();
            Assert.True(ready.StatusCode == HttpStatusCode.ServiceUnavailable, $"ready answered {(int)ready.StatusCode}: {body}");
            Assert.DoesNotContain(fixture.Data.Path, body, StringComparison.Ordinal); // the public endpoint leaks no path

            using var live = await fixture.Client.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }
        finally
        {
            Directory.Move(away, files);
        }

        using var again = await fixture.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }
}

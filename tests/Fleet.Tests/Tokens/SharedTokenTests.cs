namespace Fleet.Tests.Tokens;

/// <summary>Issue 18, test 1: replicas sign with one key ring, so a token from either is good everywhere.</summary>
[Collection(FleetGroup.Name)]
public sealed class SharedTokenTests(FleetTopology fleet)
{
    [FleetFact]
    public async Task TokenIssuedByA_IsAcceptedByBAndByLibrary()
    {
        using var a = fleet.A.CreateClient();
        using var b = fleet.B.CreateClient();
        using var library = fleet.Library.CreateClient();
        var token = await a.GetTokenAsync(Api.AdminUser, Api.DevAdminPassword);

        using var onB = await b.SendAsync(HttpMethod.Get, "/api/v1/employees?page=1&pageSize=1", token);
        Assert.True(onB.StatusCode == HttpStatusCode.OK, $"B answered {(int)onB.StatusCode} to A's token: {await onB.Content.ReadAsStringAsync()}");
        using var onLibrary = await library.SendAsync(HttpMethod.Get, "/api/v1/books?page=1&pageSize=1", token);
        Assert.True(onLibrary.StatusCode == HttpStatusCode.OK, $"Library answered {(int)onLibrary.StatusCode} to A's token: {await onLibrary.Content.ReadAsStringAsync()}");
    }

    [FleetFact]
    public async Task TokenIssuedByB_IsAcceptedByA()
    {
        using var a = fleet.A.CreateClient();
        using var b = fleet.B.CreateClient();
        var token = await b.GetTokenAsync(Api.AdminUser, Api.DevAdminPassword);

        using var onA = await a.SendAsync(HttpMethod.Get, "/api/v1/employees?page=1&pageSize=1", token);
        Assert.True(onA.StatusCode == HttpStatusCode.OK, $"A answered {(int)onA.StatusCode} to B's token: {await onA.Content.ReadAsStringAsync()}");
    }

    [FleetFact]
    public async Task AAndB_PublishTheSameJwks()
    {
        using var a = fleet.A.CreateClient();
        using var b = fleet.B.CreateClient();

        var fromA = JsonNode.Parse(await a.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative)))!["keys"]!.AsArray();
        var fromB = JsonNode.Parse(await b.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative)))!["keys"]!.AsArray();

        Assert.NotEmpty(fromA);
        // The same keys, member for member (kid, x, y...), in whatever order each replica lists them.
        Assert.Equal(
            fromA.Select(k => k!.ToJsonString()).Order(StringComparer.Ordinal),
            fromB.Select(k => k!.ToJsonString()).Order(StringComparer.Ordinal));
    }
}

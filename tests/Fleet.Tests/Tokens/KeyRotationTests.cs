using System.Diagnostics;

namespace Fleet.Tests.Tokens;

/// <summary>
/// Issue 18, test 2: a key rotated on A signs only after every replica publishes it (the key ring's activation delay);
/// B and Library accept the new key's tokens without a restart and keep accepting the old key's tokens.
/// </summary>
[Collection(FleetGroup.Name)]
public sealed class KeyRotationTests(FleetTopology fleet)
{
    [FleetFact]
    public async Task RotationOnA_NoReplicaSignsWithAKeyAnotherDoesNotPublish_AndBothKeysValidateEverywhere()
    {
        using var a = fleet.A.CreateClient();
        using var b = fleet.B.CreateClient();
        using var library = fleet.Library.CreateClient();
        var oldToken = await a.GetTokenAsync(Api.AdminUser, Api.DevAdminPassword);
        var oldKeyId = Http.KeyIdOf(oldToken);

        using var rotate = await a.SendAsync(HttpMethod.Post, "/api/v1/keys", fleet.AdminToken);
        var newKeyId = (await rotate.ReadJsonAsync(HttpStatusCode.Created))["keyId"]!.GetValue<string>();
        Assert.NotEqual(oldKeyId, newKeyId);

        // Sign in on both replicas every half second until both sign with the new key. Each replica's JWKS is read before
        // each token is issued, so a kid missing from it proves a token signed with a key that replica did not publish yet.
        var clock = Stopwatch.StartNew();
        var bound = FleetTopology.KeyActivationDelay + TimeSpan.FromSeconds(30);
        string? newTokenFromA = null, newTokenFromB = null;
        while ((newTokenFromA is null || newTokenFromB is null) && clock.Elapsed < bound)
        {
            var publishedByA = await a.JwksKeyIdsAsync();
            var publishedByB = await b.JwksKeyIdsAsync();
            foreach (var (name, client) in new[] { ("A", a), ("B", b) })
            {
                var token = await client.GetTokenAsync(Api.AdminUser, Api.DevAdminPassword);
                var keyId = Http.KeyIdOf(token);
                Assert.True(
                    publishedByA.Contains(keyId) && publishedByB.Contains(keyId),
                    $"{name} signed with '{keyId}' {clock.Elapsed.TotalSeconds:F1} s after the rotation while A published [{string.Join(", ", publishedByA)}] and B [{string.Join(", ", publishedByB)}]");
                if (keyId == newKeyId)
                {
                    if (name == "A")
                    {
                        newTokenFromA ??= token;
                    }
                    else
                    {
                        newTokenFromB ??= token;
                    }
                }
            }

            await Task.Delay(500);
        }

        Assert.True(newTokenFromA is not null && newTokenFromB is not null,
            $"within {bound.TotalSeconds} s of the rotation, A {(newTokenFromA is null ? "never" : "did")} and B {(newTokenFromB is null ? "never" : "did")} sign with the new key '{newKeyId}'");

        // Without a restart: B and Library accept the new key's tokens, and every service still accepts the old key's.
        foreach (var (name, client, path) in new[]
        {
            ("A", a, "/api/v1/employees?page=1&pageSize=1"),
            ("B", b, "/api/v1/employees?page=1&pageSize=1"),
            ("Library", library, "/api/v1/books?page=1&pageSize=1"),
        })
        {
            foreach (var (which, token) in new[] { ("new key, from A", newTokenFromA!), ("old key", oldToken) })
            {
                using var response = await client.SendAsync(HttpMethod.Get, path, token);
                Assert.True(response.StatusCode == HttpStatusCode.OK,
                    $"{name} answered {(int)response.StatusCode} to a token of the {which}: {await response.Content.ReadAsStringAsync()}");
            }
        }
    }
}

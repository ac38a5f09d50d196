using System.Security.Cryptography;
using System.Text.Json;
using Microservice.Kit.Tokens;
using Microservice.Kit.Tokens.Internal;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Microservice.Kit.Tests.Tokens;

/// <summary>
/// The key lifecycle of <see cref="LocalKeyRing"/> (activation delay, drain on retirement, revocation) and replicas that
/// share one store, here the key directory's file: several processes' rings are several service providers on one file.
/// </summary>
public sealed class KeyRingLifecycleTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kit-ring-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Rotate_NewKeyIsPublishedAtOnceButSignsOnlyAfterTheActivationDelay()
    {
        using var services = new TokenServices();
        var old = Assert.Single(services.Keys.GetKeys());

        var rotated = await services.Keys.RotateAsync();
        var jwksKids = JwksKids(services);
        var beforeActivation = services.Issuer.Issue(new TokenRequest("alice")).KeyId;
        services.Time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        var justBefore = services.Issuer.Issue(new TokenRequest("alice")).KeyId;
        services.Time.Advance(TimeSpan.FromSeconds(1));
        var atActivation = services.Issuer.Issue(new TokenRequest("alice"));

        Assert.Equal([old.KeyId, rotated.KeyId], jwksKids);
        Assert.False(rotated.IsSigning);
        Assert.Equal(old.KeyId, beforeActivation);
        Assert.Equal(old.KeyId, justBefore);
        Assert.Equal(rotated.KeyId, atActivation.KeyId);
        Assert.True((await services.Validator.ValidateAsync(atActivation.AccessToken)).IsValid);
    }

    [Fact]
    public async Task Retire_KeyValidatesUntilItsLastTokenExpiresThenLeavesJwks()
    {
        using var services = new TokenServices(options => options.Lifetime = TimeSpan.FromMinutes(20));
        var old = Assert.Single(services.Keys.GetKeys());
        await services.Keys.RotateAsync();
        services.Time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        var lastOldToken = services.Issuer.Issue(new TokenRequest("alice"));
        services.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(await services.Keys.RetireAsync(old.KeyId));
        services.Time.Advance(TimeSpan.FromMinutes(20));
        var nearItsExpiry = await services.Validator.ValidateAsync(lastOldToken.AccessToken);
        var jwksWhileDraining = JwksKids(services);
        services.Time.Advance(TimeSpan.FromSeconds(31));
        var jwksAfter = JwksKids(services);

        Assert.Equal(old.KeyId, lastOldToken.KeyId);
        Assert.True(nearItsExpiry.IsValid);
        Assert.Contains(old.KeyId, jwksWhileDraining);
        Assert.DoesNotContain(old.KeyId, jwksAfter);
        Assert.Single(jwksAfter);
    }

    [Fact]
    public async Task Retire_PendingKey_LeavesAtOnceAndNeverSigns()
    {
        using var services = new TokenServices();
        var old = Assert.Single(services.Keys.GetKeys());
        var pending = await services.Keys.RotateAsync();

        Assert.True(await services.Keys.RetireAsync(pending.KeyId));
        services.Time.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(old.KeyId, Assert.Single(services.Keys.GetKeys()).KeyId);
        Assert.Equal(old.KeyId, services.Issuer.Issue(new TokenRequest("alice")).KeyId);
    }

    [Fact]
    public async Task Revoke_TheSigningKey_IsRefused_AndAnUnknownKeyIsFalse()
    {
        using var services = new TokenServices();
        var key = Assert.Single(services.Keys.GetKeys());

        await Assert.ThrowsAsync<InvalidOperationException>(() => services.Keys.RevokeAsync(key.KeyId));
        Assert.False(await services.Keys.RevokeAsync("no-such-key"));
        Assert.False(await services.Keys.RetireAsync("no-such-key"));
    }

    [Fact]
    public async Task Rotate_NegativeDelay_IsRefused()
    {
        using var services = new TokenServices();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => services.Keys.RotateAsync(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task SharedStore_ConcurrentFirstStart_MakesExactlyOneKey()
    {
        var replicas = Enumerable.Range(0, 6).Select(_ => new TokenServices(options => options.KeyDirectory = _directory)).ToList();
        try
        {
            // Started together, as replicas of a deployment are: each finds the store empty and tries to add a key.
            using var start = new Barrier(replicas.Count);
            await Task.WhenAll(replicas.Select(r => Task.Run(() =>
            {
                start.SignalAndWait();
                return r.Get<LocalKeyRing>().InitializeAsync(CancellationToken.None).AsTask();
            })));

            var kids = replicas.Select(r => Assert.Single(r.Keys.GetKeys()).KeyId).Distinct().ToList();
            using var file = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_directory, LocalKeyRing.KeyFileName)));

            Assert.Single(kids);
            Assert.Equal(kids[0], Assert.Single(file.RootElement.GetProperty("keys").EnumerateArray()).GetProperty("kid").GetString());
        }
        finally
        {
            replicas.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task SharedStore_UnknownKid_ReloadsTheRingOncePerMinimumInterval()
    {
        using var a = new TokenServices(options => options.KeyDirectory = _directory);
        using var b = new TokenServices(options => options.KeyDirectory = _directory);
        Assert.Equal(a.Keys.GetKeys()[0].KeyId, b.Keys.GetKeys()[0].KeyId);

        // A compromised-key rotation on A: the new key signs at once, and B has never loaded it.
        var rotated = await a.Keys.RotateAsync(TimeSpan.Zero);
        var token = a.Issuer.Issue(new TokenRequest("alice"));
        var onB = await b.Validator.ValidateAsync(token.AccessToken);
        var reloadsAfterFirst = Reloads(b);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(TokenFailureReason.UnknownKey, (await b.Validator.ValidateAsync(TokenWithRandomKid(b))).FailureReason);
        }

        Assert.Equal(rotated.KeyId, token.KeyId);
        Assert.True(onB.IsValid);
        Assert.Equal(1, reloadsAfterFirst);
        Assert.Equal(1, Reloads(b));
    }

    [Fact]
    public async Task SharedStore_RetirementOnOneReplica_ReachesTheOtherOnReload()
    {
        using var a = new TokenServices(options => options.KeyDirectory = _directory);
        using var b = new TokenServices(options => options.KeyDirectory = _directory);
        var old = Assert.Single(b.Keys.GetKeys());
        var rotated = await a.Keys.RotateAsync(TimeSpan.Zero);

        await a.Keys.RevokeAsync(old.KeyId);
        var beforeReload = b.Keys.GetKeys().Select(k => k.KeyId).ToList();
        await b.Get<LocalKeyRing>().ReloadAsync(CancellationToken.None);

        Assert.Equal([old.KeyId], beforeReload);
        Assert.Equal(rotated.KeyId, Assert.Single(b.Keys.GetKeys()).KeyId);
        Assert.Equal(rotated.KeyId, b.Issuer.Issue(new TokenRequest("bob")).KeyId);
    }

    [Fact]
    public async Task KeyFile_WrittenBeforeKeyLifecycles_IsReadAndItsKeySigns()
    {
        Directory.CreateDirectory(_directory);
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var legacy = $$"""{"keys":[{"kid":"legacy-key-1","alg":"ES256","created":"2026-01-01T00:00:00+00:00","pkcs8":"{{Convert.ToBase64String(ecdsa.ExportPkcs8PrivateKey())}}"}]}""";
        await File.WriteAllTextAsync(Path.Combine(_directory, LocalKeyRing.KeyFileName), legacy);

        using var services = new TokenServices(options => options.KeyDirectory = _directory);
        var issued = services.Issuer.Issue(new TokenRequest("alice"));

        Assert.Equal("legacy-key-1", issued.KeyId);
        Assert.True((await services.Validator.ValidateAsync(issued.AccessToken)).IsValid);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), Assert.Single(services.Keys.GetKeys()).ActivatesAt);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static List<string?> JwksKids(TokenServices services)
    {
        using var jwks = JsonDocument.Parse(services.Get<LocalKeyRing>().State.Jwks);
        return [.. jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString())];
    }

    private static int Reloads(TokenServices services) =>
        services.Logs.GetSnapshot().Count(r => r.Id.Name == "KeyRingReloaded");

    private static string TokenWithRandomKid(TokenServices services)
    {
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = services.Time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "employees",
            Audience = "employees",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            TokenType = TokenDefaults.TokenType,
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(attacker) { KeyId = Guid.NewGuid().ToString("N") }, SecurityAlgorithms.EcdsaSha256),
        });
    }
}

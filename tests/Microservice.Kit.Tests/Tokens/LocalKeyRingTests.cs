using System.Text.Json;
using Microservice.Kit.Tokens;
using Microservice.Kit.Tokens.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Microservice.Kit.Tests.Tokens;

public sealed class LocalKeyRingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kit-keys-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task KeyDirectory_KeyIsPersistedOwnerOnlyAndSurvivesARestart()
    {
        string keyId;
        string token;
        using (var first = new TokenServices(options => options.KeyDirectory = _directory))
        {
            var issued = first.Issuer.Issue(new TokenRequest("alice"));
            keyId = issued.KeyId;
            token = issued.AccessToken;
        }

        using var second = new TokenServices(options => options.KeyDirectory = _directory);
        var file = Path.Combine(_directory, LocalKeyRing.KeyFileName);

        Assert.Equal(keyId, Assert.Single(second.Keys.GetKeys()).KeyId);
        Assert.True((await second.Validator.ValidateAsync(token)).IsValid);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public async Task Rotate_NewKeySignsAfterTheActivationDelayAndTheOldOneDrainsAfterRetirement()
    {
        using var services = new TokenServices(options => options.KeyDirectory = _directory);
        var first = Assert.Single(services.Keys.GetKeys());
        var rotatedAt = services.Time.GetUtcNow();

        var second = await services.Keys.RotateAsync();
        var pending = services.Keys.GetKeys();
        services.Time.Advance(TimeSpan.FromMinutes(10));
        var active = services.Keys.GetKeys();
        Assert.True(await services.Keys.RetireAsync(first.KeyId));
        var draining = services.Keys.GetKeys();

        Assert.Equal(rotatedAt + TimeSpan.FromMinutes(10), second.ActivatesAt);
        Assert.Equal([first.KeyId, second.KeyId], pending.Select(k => k.KeyId));
        Assert.Equal([true, false], pending.Select(k => k.IsSigning));
        Assert.Equal([false, true], active.Select(k => k.IsSigning));
        // The old key validates until a token it signed just before the new key activated has expired: 1 h + 30 s skew.
        Assert.Equal(second.ActivatesAt + TimeSpan.FromHours(1) + TimeSpan.FromSeconds(30), draining[0].RetiresAt);
        using var reloaded = new TokenServices(options => options.KeyDirectory = _directory);
        reloaded.Time.SetUtcNow(services.Time.GetUtcNow());
        Assert.Equal([first.KeyId, second.KeyId], reloaded.Keys.GetKeys().Select(k => k.KeyId));
        services.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(31));
        Assert.Equal(second.KeyId, Assert.Single(services.Keys.GetKeys()).KeyId);
    }

    [Fact]
    public async Task Retire_TheSigningKey_IsRefused()
    {
        using var services = new TokenServices();
        var key = Assert.Single(services.Keys.GetKeys());

        await Assert.ThrowsAsync<InvalidOperationException>(() => services.Keys.RetireAsync(key.KeyId));
    }

    [Theory]
    [InlineData(TokenSigningAlgorithm.ES256, "EC")]
    [InlineData(TokenSigningAlgorithm.RS256, "RSA")]
    public void Jwks_HoldsPublicKeysOnly(TokenSigningAlgorithm algorithm, string keyType)
    {
        using var services = new TokenServices(options => options.Algorithm = algorithm);

        using var jwks = JsonDocument.Parse(services.Get<LocalKeyRing>().State.Jwks);
        var key = Assert.Single(jwks.RootElement.GetProperty("keys").EnumerateArray());

        Assert.Equal(keyType, key.GetProperty("kty").GetString());
        Assert.Equal(services.Keys.GetKeys()[0].KeyId, key.GetProperty("kid").GetString());
        foreach (var privateMember in new[] { "d", "p", "q", "dp", "dq", "qi", "k" })
        {
            Assert.False(key.TryGetProperty(privateMember, out _), privateMember);
        }

        // What is published is what a validator reads back.
        Assert.Single(JwksKeySource.Parse(services.Get<LocalKeyRing>().State.Jwks));
    }

    [Fact]
    public void Jwks_Hs256_PublishesNoKey()
    {
        using var services = new TokenServices(options =>
        {
            options.Algorithm = TokenSigningAlgorithm.HS256;
            options.Secret = "a-test-secret-that-is-at-least-32-bytes-long";
        });

        using var jwks = JsonDocument.Parse(services.Get<LocalKeyRing>().State.Jwks);

        Assert.Empty(jwks.RootElement.GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public void JwksParse_IgnoresSymmetricAndMalformedKeys()
    {
        var json = """
            {"keys":[
              {"kty":"oct","kid":"secret","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"},
              {"kty":"EC","crv":"P-256","kid":"../etc/passwd","x":"AA","y":"AA"},
              {"kty":"EC","crv":"P-256","kid":"enc","use":"enc","x":"AA","y":"AA"},
              "not an object"
            ]}
            """u8;

        Assert.Empty(JwksKeySource.Parse(json));
    }

    [Fact]
    public async Task PrivateKeyPem_SignsWithTheConfiguredKey()
    {
        using var ecdsa = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var pem = ecdsa.ExportPkcs8PrivateKeyPem();
        using var first = new TokenServices(options => options.PrivateKeyPem = pem);
        using var second = new TokenServices(options => options.PrivateKeyPem = pem);

        var token = first.Issuer.Issue(new TokenRequest("alice")).AccessToken;

        Assert.Equal(first.Keys.GetKeys()[0].KeyId, second.Keys.GetKeys()[0].KeyId);
        Assert.True((await second.Validator.ValidateAsync(token)).IsValid);
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.Keys.RotateAsync());
    }

    [Fact]
    public async Task KeyDirectory_Relative_IsResolvedAgainstTheContentRoot()
    {
        Directory.CreateDirectory(_directory);
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(new Microsoft.AspNetCore.Builder.WebApplicationOptions { ContentRootPath = _directory });
        Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseUrls(builder.WebHost, "http://127.0.0.1:0");
        builder.AddMicroserviceKit(options => options.ServiceName = "employees").AddTokenIssuer(options => options.KeyDirectory = "keys");
        await using var app = builder.Build();

        await app.StartAsync();
        await app.StopAsync();

        Assert.True(File.Exists(Path.Combine(_directory, "keys", LocalKeyRing.KeyFileName)));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

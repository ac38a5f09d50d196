using System.Net;
using System.Security.Cryptography;
using Microservice.Kit.Tests.Infrastructure;
using Microservice.Kit.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Microservice.Kit.Tests.Tokens;

/// <summary>
/// Two real services: "employees" issues ES256 tokens and serves JWKS; "library" holds no key material and validates
/// through the JWKS URL alone.
/// </summary>
public sealed class JwksRotationTests : IDisposable
{
    private readonly string _keyDirectory = Path.Combine(Path.GetTempPath(), "kit-jwks-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private int _jwksRequests;

    [Fact]
    public async Task Rotation_ValidatorKnowsTheNewKeyBeforeItSigns_OldTokensValidUntilRevoked()
    {
        await using var issuer = await StartIssuerAsync();
        await using var validator = await StartValidatorAsync(issuer);
        var keys = issuer.Services.GetRequiredService<ITokenKeyManager>();

        var oldToken = issuer.Issue("emp.create");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(validator, oldToken));

        // Rotate: the new key is published at once but signs only after the activation delay (10 min), by which time
        // the validator's periodic refresh (5 min) has fetched it, so its first token causes no unknown-kid fetch.
        var oldKey = keys.GetKeys()[0].KeyId;
        var newKey = await keys.RotateAsync();
        Assert.Equal(oldKey, KidOf(issuer.Issue("emp.create")));
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(validator, oldToken));
        var fetchesBeforeActivation = Volatile.Read(ref _jwksRequests);
        _time.Advance(TimeSpan.FromMinutes(4));
        var newToken = issuer.Issue("emp.create");
        Assert.Equal(newKey.KeyId, KidOf(newToken));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(validator, newToken));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(validator, oldToken));
        Assert.Equal(fetchesBeforeActivation, Volatile.Read(ref _jwksRequests));

        // Revoke: once the validator's key set is refreshed, tokens of the revoked key are rejected, even though
        // the validator had cached them as valid.
        await keys.RevokeAsync(oldKey);
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(validator, oldToken));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(validator, newToken));
    }

    [Fact]
    public async Task ColdValidator_ConcurrentFirstRequests_AllWaitForTheOneFirstFetch()
    {
        await using var issuer = await StartIssuerAsync();
        await using var validator = await StartValidatorAsync(issuer);
        var token = issuer.Issue("emp.create");

        // Before the fix, requests that arrived while the first JWKS fetch was in flight were answered from the
        // still-empty key set: 401 for a valid token.
        var statuses = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => StatusAsync(validator, token)));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(1, Volatile.Read(ref _jwksRequests));
    }

    [Fact]
    public async Task UnknownKidFlood_CausesAtMostOneJwksFetch()
    {
        await using var issuer = await StartIssuerAsync();
        await using var validator = await StartValidatorAsync(issuer);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(validator, issuer.Issue("emp.create")));
        var before = Volatile.Read(ref _jwksRequests);

        for (var i = 0; i < 25; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(validator, TokenWithRandomKid()));
        }

        Assert.InRange(Volatile.Read(ref _jwksRequests) - before, 0, 1);
    }

    [Fact]
    public async Task IssuerDown_ValidatorKeepsTheLastGoodKeySet()
    {
        var issuer = await StartIssuerAsync();
        await using var validator = await StartValidatorAsync(issuer);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(validator, issuer.Issue("emp.create")));
        var unseenToken = issuer.Issue("emp.create");

        await issuer.DisposeAsync();
        _time.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(validator, unseenToken));
    }

    public void Dispose()
    {
        if (Directory.Exists(_keyDirectory))
        {
            Directory.Delete(_keyDirectory, recursive: true);
        }
    }

    private Task<KestrelTestHost> StartIssuerAsync() => TokenTestHost.StartAsync(
        options => options.KeyDirectory = _keyDirectory,
        _time,
        configureApp: app => app.Use(async (HttpContext context, RequestDelegate next) =>
        {
            if (context.Request.Path == TokenDefaults.JwksPath)
            {
                Interlocked.Increment(ref _jwksRequests);
            }

            await next(context);
        }));

    private Task<KestrelTestHost> StartValidatorAsync(KestrelTestHost issuer) => TokenTestHost.StartAsync(
        options =>
        {
            options.Issuer = TokenTestHost.Issuer;
            options.JwksUrl = new Uri(issuer.BaseAddress, TokenDefaults.JwksPath).ToString();
        },
        _time,
        issue: false);

    private static string KidOf(string token) => new JsonWebToken(token).Kid;

    private static async Task<HttpStatusCode> StatusAsync(KestrelTestHost validator, string token)
    {
        using var response = await validator.Client.SendAsync(TokenTestHost.Get("/employees", token));
        return response.StatusCode;
    }

    private string TokenWithRandomKid()
    {
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = new ECDsaSecurityKey(attacker) { KeyId = Guid.NewGuid().ToString("N") };
        var now = _time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = TokenTestHost.Issuer,
            Audience = TokenTestHost.Issuer,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        });
    }
}

using Microservice.Kit.Tokens;
using Microservice.Kit.Tokens.Internal;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Microservice.Kit.Tests.Tokens;

public sealed class TokenValidatorTests
{
    [Theory]
    [InlineData(TokenSigningAlgorithm.ES256)]
    [InlineData(TokenSigningAlgorithm.RS256)]
    [InlineData(TokenSigningAlgorithm.HS256)]
    public async Task Validate_IssuedToken_IsValidAndExposesItsClaims(TokenSigningAlgorithm algorithm)
    {
        using var services = new TokenServices(options =>
        {
            options.Algorithm = algorithm;
            options.Secret = "a-test-secret-that-is-at-least-32-bytes-long";
        });
        var issued = services.Issuer.Issue(new TokenRequest("alice") { Permissions = ["emp.create"] });

        var outcome = await services.Validator.ValidateAsync(issued.AccessToken);

        Assert.True(outcome.IsValid, outcome.FailureReason.ToString());
        Assert.Equal("alice", outcome.Subject);
        Assert.Equal(["emp.create"], outcome.Permissions);
        Assert.Equal(issued.ExpiresAt, outcome.ExpiresAt);
        Assert.Equal(issued.KeyId, outcome.KeyId);
        Assert.Equal(issued.TokenId, outcome.TokenId);
        Assert.Contains(outcome.Claims, c => c.Type == "jti" && c.Value == issued.TokenId);
        Assert.Equal("alice", outcome.CreatePrincipal().Identity!.Name);
    }

    [Fact]
    public async Task Validate_SameTokenAgain_IsCachedAtItsSecondValidation()
    {
        using var services = new TokenServices();
        var token = services.Issuer.Issue(new TokenRequest("alice") { Permissions = ["emp.list"] }).AccessToken;

        var first = await services.Validator.ValidateAsync(token);
        var second = await services.Validator.ValidateAsync(token);
        var third = await services.Validator.ValidateAsync(token);

        Assert.True(first.IsValid);
        Assert.NotSame(first, second);
        Assert.Same(second, third);
        Assert.Equal(first.Claims.Select(c => (c.Type, c.Value)), third.Claims.Select(c => (c.Type, c.Value)));
        // The cached outcome keeps its own copy of the claims; names, roles and case-sensitive claim types are unchanged.
        var principal = third.CreatePrincipal();
        Assert.Equal(["emp.list"], third.Permissions);
        Assert.Equal("alice", principal.Identity!.Name);
        Assert.True(principal.IsInRole("emp.list"));
        Assert.NotNull(principal.FindFirst("sub"));
        Assert.Null(principal.FindFirst("SUB"));
    }

    [Fact]
    public async Task Validate_TokensNeverSeenAgainWithinTheCacheSize_AreNotCached()
    {
        using var services = new TokenServices(options => options.CacheSize = 4);
        var tokens = Enumerable.Range(0, 6).Select(i => services.Issuer.Issue(new TokenRequest("user-" + i)).AccessToken).ToArray();

        // Each token comes back after five others: more than the cache holds, so caching it would only have made the
        // collector carry it until it was dropped.
        var first = new List<TokenValidationOutcome>();
        var second = new List<TokenValidationOutcome>();
        foreach (var token in tokens)
        {
            first.Add(await services.Validator.ValidateAsync(token));
        }

        foreach (var token in tokens)
        {
            second.Add(await services.Validator.ValidateAsync(token));
        }

        var third = await services.Validator.ValidateAsync(tokens[^1]);

        Assert.All(first.Concat(second), outcome => Assert.True(outcome.IsValid));
        Assert.All(first.Zip(second), pair => Assert.NotSame(pair.First, pair.Second));
        Assert.NotSame(second[^1], third);
        Assert.Same(third, await services.Validator.ValidateAsync(tokens[^1]));
    }

    [Fact]
    public async Task Validate_FloodOfSingleUseTokens_DoesNotPushOutACachedToken()
    {
        using var services = new TokenServices(options => options.CacheSize = 4);
        var hot = services.Issuer.Issue(new TokenRequest("alice")).AccessToken;
        await services.Validator.ValidateAsync(hot);
        var cached = await services.Validator.ValidateAsync(hot);

        for (var i = 0; i < 20; i++)
        {
            var once = services.Issuer.Issue(new TokenRequest("user-" + i)).AccessToken;
            Assert.True((await services.Validator.ValidateAsync(once)).IsValid);
        }

        Assert.Same(cached, await services.Validator.ValidateAsync(hot));
    }

    [Fact]
    public async Task Validate_CachedTokenAfterExp_IsRevalidatedAndRejectedBeyondTheSkew()
    {
        using var services = new TokenServices();
        var token = services.Issuer.Issue(new TokenRequest("alice") { Lifetime = TimeSpan.FromMinutes(1) }).AccessToken;
        await services.Validator.ValidateAsync(token);
        var first = await services.Validator.ValidateAsync(token);
        Assert.Same(first, await services.Validator.ValidateAsync(token));

        services.Time.Advance(TimeSpan.FromSeconds(70));
        var withinSkew = await services.Validator.ValidateAsync(token);
        services.Time.Advance(TimeSpan.FromSeconds(25));
        var beyondSkew = await services.Validator.ValidateAsync(token);

        Assert.True(first.IsValid);
        Assert.True(withinSkew.IsValid);
        Assert.NotSame(first, withinSkew);
        Assert.Equal(TokenFailureReason.Expired, beyondSkew.FailureReason);
    }

    [Fact]
    public async Task Validate_TokenThatFailed_IsNotCached()
    {
        using var services = new TokenServices();
        var now = services.Time.GetUtcNow().UtcDateTime;
        var fromTheFuture = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "employees",
            Audience = "employees",
            NotBefore = now.AddMinutes(10),
            Expires = now.AddHours(1),
            TokenType = "at+jwt",
            SigningCredentials = services.Get<LocalKeyRing>().SigningKey.Credentials,
        });

        var early = await services.Validator.ValidateAsync(fromTheFuture);
        services.Time.Advance(TimeSpan.FromMinutes(10));
        var onTime = await services.Validator.ValidateAsync(fromTheFuture);

        Assert.Equal(TokenFailureReason.NotYetValid, early.FailureReason);
        Assert.True(onTime.IsValid);
    }

    [Fact]
    public async Task Validate_RevokedKeyAfterCaching_IsRejected()
    {
        using var services = new TokenServices();
        var old = services.Issuer.Issue(new TokenRequest("alice"));
        Assert.True((await services.Validator.ValidateAsync(old.AccessToken)).IsValid);
        var cached = await services.Validator.ValidateAsync(old.AccessToken);
        Assert.Same(cached, await services.Validator.ValidateAsync(old.AccessToken));

        await services.Keys.RotateAsync(TimeSpan.Zero);
        var fresh = services.Issuer.Issue(new TokenRequest("alice"));
        var oldDuringOverlap = await services.Validator.ValidateAsync(old.AccessToken);
        await services.Keys.RevokeAsync(old.KeyId);
        var oldAfterRetirement = await services.Validator.ValidateAsync(old.AccessToken);

        Assert.NotEqual(old.KeyId, fresh.KeyId);
        Assert.True((await services.Validator.ValidateAsync(fresh.AccessToken)).IsValid);
        Assert.True(oldDuringOverlap.IsValid);
        Assert.Equal(TokenFailureReason.UnknownKey, oldAfterRetirement.FailureReason);
    }

    [Fact]
    public async Task Validate_CacheTurnedOff_ValidatesEveryTime()
    {
        using var services = new TokenServices(options => options.CacheSize = 0);
        var token = services.Issuer.Issue(new TokenRequest("alice")).AccessToken;

        var first = await services.Validator.ValidateAsync(token);
        var second = await services.Validator.ValidateAsync(token);

        Assert.True(second.IsValid);
        Assert.NotSame(first, second);
    }

    [Fact]
    public async Task Cache_IsBoundedAndKeepsRecentlyUsedEntries()
    {
        using var services = new TokenServices();
        var outcome = await services.Validator.ValidateAsync(services.Issuer.Issue(new TokenRequest("alice")).AccessToken);
        var cache = new ValidatedTokenCache(capacity: 4);
        var now = services.Time.GetUtcNow().UtcTicks;

        cache.Add("hot", outcome, epoch: 0);
        for (var i = 0; i < 20; i++)
        {
            cache.Add("cold-" + i, outcome, epoch: 0);
            Assert.True(cache.TryGet("hot", now, epoch: 0, out _));
        }

        Assert.False(cache.TryGet("cold-0", now, epoch: 0, out _));
        Assert.False(cache.TryGet("hot", now, epoch: 1, out _));
        Assert.False(cache.TryGet("cold-19", outcome.ExpiresAt.UtcTicks, epoch: 0, out _));
    }

    [Fact]
    public void Cache_AdmitsATokenAtItsSecondSightOnly()
    {
        var cache = new ValidatedTokenCache(capacity: 4);

        Assert.False(cache.Admits("header.alice.signature"));
        Assert.True(cache.Admits("header.alice.signature"));
    }

    [Fact]
    public void Cache_ATokenSeenAgainAfterMoreOthersThanItHolds_IsNotAdmitted()
    {
        var cache = new ValidatedTokenCache(capacity: 4);

        Assert.False(cache.Admits("header.alice.signature"));
        for (var i = 0; i < 4; i++)
        {
            cache.Admits("header.other.signature-" + i);
        }

        Assert.False(cache.Admits("header.alice.signature"));
    }

    [Fact]
    public void Cache_TurnedOff_AdmitsNothing()
    {
        var cache = new ValidatedTokenCache(capacity: 0);

        Assert.False(cache.Admits("header.alice.signature"));
        Assert.False(cache.Admits("header.alice.signature"));
    }

    [Fact]
    public void Cache_NeverAddsARejectedOutcome()
    {
        var cache = new ValidatedTokenCache(capacity: 4);

        cache.Add("token", TokenValidationOutcome.Failure(TokenFailureReason.BadSignature), epoch: 0);

        Assert.False(cache.TryGet("token", 0, epoch: 0, out _));
    }

    [Fact]
    public async Task Cache_TokensThatEndAlikeButDiffer_AreSeparateEntries()
    {
        // The cache hashes only a token's tail (its signature); equality is still the whole string.
        using var services = new TokenServices();
        var outcome = await services.Validator.ValidateAsync(services.Issuer.Issue(new TokenRequest("alice")).AccessToken);
        var cache = new ValidatedTokenCache(capacity: 16);
        var tail = new string('s', 40);
        var now = services.Time.GetUtcNow().UtcTicks;

        cache.Add("header.alice." + tail, outcome, epoch: 0);

        Assert.True(cache.TryGet("header.alice." + tail, now, epoch: 0, out var hit));
        Assert.Same(outcome, hit);
        Assert.False(cache.TryGet("header.mallory." + tail, now, epoch: 0, out _));
        Assert.False(cache.TryGet(tail, now, epoch: 0, out _));
        Assert.False(cache.TryGet("x", now, epoch: 0, out _));
    }

    [Fact]
    public async Task Cache_LookupByASpanOfTheHeader_FindsTheSameEntriesAsTheString()
    {
        using var services = new TokenServices();
        var outcome = await services.Validator.ValidateAsync(services.Issuer.Issue(new TokenRequest("alice")).AccessToken);
        var cache = new ValidatedTokenCache(capacity: 4);
        var now = services.Time.GetUtcNow().UtcTicks;
        var header = "Bearer header.alice.signature";

        cache.Add("header.alice.signature", outcome, epoch: 3, source: 1);

        Assert.True(cache.TryGet(header.AsSpan(7), now, out var hit, out var source, out var epoch));
        Assert.Same(outcome, hit);
        Assert.Equal((1, 3L), (source, epoch));
        Assert.False(cache.TryGet("Bearer header.alice.signatur".AsSpan(7), now, out _, out _, out _));
        Assert.False(cache.TryGet(header.AsSpan(7), outcome.ExpiresAt.UtcTicks, out _, out _, out _));
    }

    [Fact]
    public async Task Cache_LookupByASpan_PromotesAnOldGenerationEntry()
    {
        using var services = new TokenServices();
        var outcome = await services.Validator.ValidateAsync(services.Issuer.Issue(new TokenRequest("alice")).AccessToken);
        var cache = new ValidatedTokenCache(capacity: 4);
        var now = services.Time.GetUtcNow().UtcTicks;

        cache.Add("hot", outcome, epoch: 0);
        cache.Add("cold-1", outcome, epoch: 0); // the young generation (2) is full: "hot" is now in the old one
        Assert.True(cache.TryGet("hot".AsSpan(), now, out _, out _, out _));
        cache.Add("cold-2", outcome, epoch: 0);
        cache.Add("cold-3", outcome, epoch: 0); // two swaps later "hot" survives only because the lookup promoted it

        Assert.True(cache.TryGet("hot", now, epoch: 0, out _));
        Assert.False(cache.TryGet("cold-1", now, epoch: 0, out _));
    }
}

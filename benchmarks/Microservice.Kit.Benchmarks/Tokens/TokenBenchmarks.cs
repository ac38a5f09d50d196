using BenchmarkDotNet.Attributes;
using Microservice.Kit.Tokens;
using Microservice.Kit.Tokens.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Microservice.Kit.Benchmarks.Tokens;

/// <summary>The kit's token services and, on the same keys, a plain <see cref="JsonWebTokenHandler"/> configured to check the same things.</summary>
public abstract class TokenBenchmarkBase
{
    private ServiceProvider? _provider;

    [Params(TokenSigningAlgorithm.HS256, TokenSigningAlgorithm.ES256)]
    public TokenSigningAlgorithm Algorithm { get; set; }

    protected ITokenIssuer Issuer { get; private set; } = null!;

    protected ITokenValidator Validator { get; private set; } = null!;

    protected JsonWebTokenHandler Handler { get; } = new() { SetDefaultTimesOnTokenCreation = false, MapInboundClaims = false };

    protected TokenValidationParameters Parameters { get; private set; } = null!;

    protected SigningCredentials Credentials { get; private set; } = null!;

    protected void SetUp(int cacheSize)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMicroserviceKit(options => options.ServiceName = "employees")
            .AddTokenValidation(options =>
            {
                options.Algorithm = Algorithm;
                options.Secret = "a-benchmark-secret-that-is-at-least-32-bytes";
                options.CacheSize = cacheSize;
            })
            .AddTokenIssuer();
        _provider = services.BuildServiceProvider();
        Issuer = _provider.GetRequiredService<ITokenIssuer>();
        Validator = _provider.GetRequiredService<ITokenValidator>();
        var key = _provider.GetRequiredService<LocalKeyRing>().SigningKey;
        Credentials = key.Credentials;
        Parameters = new TokenValidationParameters
        {
            ValidIssuer = "employees",
            ValidAudience = "employees",
            IssuerSigningKey = key.Trusted.Key,
            ValidTypes = ["at+jwt"],
            ValidAlgorithms = [key.Algorithm],
            ClockSkew = TimeSpan.FromSeconds(30),
        };
    }

    [GlobalCleanup]
    public void Cleanup() => _provider?.Dispose();
}

/// <summary>Validating a token the service has not seen before: the kit's full checks against the handler alone.</summary>
[MemoryDiagnoser]
public class TokenFirstSeenValidationBenchmarks : TokenBenchmarkBase
{
    // More distinct tokens than the cache holds, cycled: every validation is a miss, and each pays its insert and its
    // share of the generation swaps at the rate a service with the default cache pays them.
    private const int Distinct = 16_384;
    private string[] _tokens = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var cacheSize = new TokenOptions().CacheSize;
        if (cacheSize >= Distinct)
        {
            throw new InvalidOperationException($"The default cache ({cacheSize}) would hold every one of the {Distinct} tokens: raise Distinct.");
        }

        SetUp(cacheSize);
        _tokens = [.. Enumerable.Range(0, Distinct).Select(i => Issuer.Issue(new TokenRequest("user-" + i) { Permissions = ["emp.create", "emp.list"] }).AccessToken)];
    }

    [Benchmark(Baseline = true, Description = "JsonWebTokenHandler.ValidateTokenAsync + ClaimsIdentity")]
    public async Task<object> Handler_ValidateTokenAsync()
    {
        var result = await Handler.ValidateTokenAsync(_tokens[_next++ & (Distinct - 1)], Parameters);
        return result.ClaimsIdentity;
    }

    [Benchmark(Description = "Kit ITokenValidator, first seen")]
    public async Task<object> Kit_ValidateAsync_FirstSeen() =>
        await Validator.ValidateAsync(_tokens[_next++ & (Distinct - 1)]);
}

/// <summary>Validating a token the service has seen before (the same string, not expired).</summary>
[MemoryDiagnoser]
public class TokenRepeatValidationBenchmarks : TokenBenchmarkBase
{
    private string _token = "";

    [GlobalSetup]
    public void Setup()
    {
        SetUp(cacheSize: 10_000);
        _token = Issuer.Issue(new TokenRequest("alice") { Permissions = ["emp.create", "emp.list"] }).AccessToken;
    }

    [Benchmark(Baseline = true, Description = "JsonWebTokenHandler.ValidateTokenAsync + ClaimsIdentity")]
    public async Task<object> Handler_ValidateTokenAsync()
    {
        var result = await Handler.ValidateTokenAsync(_token, Parameters);
        return result.ClaimsIdentity;
    }

    [Benchmark(Description = "Kit ITokenValidator, cache hit")]
    public async Task<object> Kit_ValidateAsync_CacheHit() => await Validator.ValidateAsync(_token);

    [Benchmark(Description = "Kit cache hit + per-request principal")]
    public async Task<object> Kit_ValidateAsync_CacheHit_WithPrincipal() => (await Validator.ValidateAsync(_token)).CreatePrincipal();
}

/// <summary>Issuing a token.</summary>
[MemoryDiagnoser]
public class TokenIssueBenchmarks : TokenBenchmarkBase
{
    private readonly TokenRequest _request = new("alice") { Permissions = ["emp.create", "emp.list"] };

    [GlobalSetup]
    public void Setup() => SetUp(cacheSize: 0);

    [Benchmark(Baseline = true, Description = "JsonWebTokenHandler.CreateToken")]
    public string Handler_CreateToken()
    {
        var now = DateTime.UtcNow;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "employees",
            Audience = "employees",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            TokenType = "at+jwt",
            SigningCredentials = Credentials,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = "alice",
                ["jti"] = Guid.NewGuid().ToString("N"),
                ["permissions"] = new[] { "emp.create", "emp.list" },
            },
        });
    }

    [Benchmark(Description = "Kit ITokenIssuer.Issue")]
    public string Kit_Issue() => Issuer.Issue(_request).AccessToken;
}

using Microservice.Kit.Diagnostics;
using Microservice.Kit.Tokens;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Microservice.Kit.Tests.Tokens;

public sealed class TokenDiagnosticsTests
{
    [Fact]
    public async Task Logs_NameTheReasonButNeverTheTokenOrTheSecret()
    {
        const string Secret = "a-test-secret-that-is-at-least-32-bytes-long";
        using var services = new TokenServices(options =>
        {
            options.Algorithm = TokenSigningAlgorithm.HS256;
            options.Secret = Secret;
        });
        var token = services.Issuer.Issue(new TokenRequest("alice") { Lifetime = TimeSpan.FromMinutes(1) }).AccessToken;
        await services.Validator.ValidateAsync(token);
        services.Time.Advance(TimeSpan.FromMinutes(5));

        var outcome = await services.Validator.ValidateAsync(token);
        await services.Validator.ValidateAsync(token[..^4]);

        var records = services.Logs.GetSnapshot();
        Assert.Equal(TokenFailureReason.Expired, outcome.FailureReason);
        Assert.Contains(records, r => r.Id.Name == "TokenIssued");
        Assert.Contains(records, r => r.Id.Name == "TokenRejected" && r.StructuredState!.Any(kv => kv.Key == "Reason" && kv.Value == "Expired"));
        var signature = token[(token.LastIndexOf('.') + 1)..];
        foreach (var record in records)
        {
            var text = record.Message + string.Join(" ", record.StructuredState?.Select(kv => kv.Value) ?? []);
            Assert.DoesNotContain(signature, text, StringComparison.Ordinal);
            Assert.DoesNotContain(token.Split('.')[1], text, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Metrics_CountValidationsRejectionsByReasonAndCacheHits()
    {
        using var services = new TokenServices();
        using var rejections = new MetricCollector<long>(null, KitDiagnostics.Name, "microservice_kit.tokens.rejections");
        using var lookups = new MetricCollector<long>(null, KitDiagnostics.Name, "microservice_kit.tokens.cache.lookups");
        var token = services.Issuer.Issue(new TokenRequest("alice")).AccessToken;

        await services.Validator.ValidateAsync(token);
        await services.Validator.ValidateAsync(token);   // cached from its second validation on
        await services.Validator.ValidateAsync(token);
        await services.Validator.ValidateAsync("not-a-token");

        Assert.Contains(rejections.GetMeasurementSnapshot(), m => m.Tags["reason"] as string == "Malformed");
        var hits = lookups.GetMeasurementSnapshot();
        Assert.Contains(hits, m => m.Tags["hit"] is true);
        Assert.Contains(hits, m => m.Tags["hit"] is false);
    }
}

using System.Diagnostics.Metrics;
using Microservice.Kit.Diagnostics;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>The token feature's instruments (OpenTelemetry-style names under <c>microservice_kit.tokens</c>).</summary>
internal static class TokenMetrics
{
    public static readonly Counter<long> Issued = KitDiagnostics.Meter.CreateCounter<long>(
        "microservice_kit.tokens.issued", "{token}", "Tokens issued.");

    public static readonly Counter<long> Validations = KitDiagnostics.Meter.CreateCounter<long>(
        "microservice_kit.tokens.validations", "{token}", "Token validations, tagged by result (valid, rejected).");

    public static readonly Counter<long> Rejections = KitDiagnostics.Meter.CreateCounter<long>(
        "microservice_kit.tokens.rejections", "{token}", "Rejected tokens, tagged by reason.");

    public static readonly Counter<long> CacheLookups = KitDiagnostics.Meter.CreateCounter<long>(
        "microservice_kit.tokens.cache.lookups", "{lookup}", "Validated-token cache lookups, tagged hit=true/false; the hit ratio is hits over lookups.");

    public static readonly Counter<long> JwksFetches = KitDiagnostics.Meter.CreateCounter<long>(
        "microservice_kit.tokens.jwks.fetches", "{fetch}", "JWKS fetches, tagged by status (success, failure).");

    public static void Valid(bool cached)
    {
        if (Validations.Enabled)
        {
            Validations.Add(1, new KeyValuePair<string, object?>("result", "valid"));
        }

        if (CacheLookups.Enabled)
        {
            CacheLookups.Add(1, new KeyValuePair<string, object?>("hit", cached));
        }
    }

    public static void Rejected(TokenFailureReason reason)
    {
        if (Validations.Enabled)
        {
            Validations.Add(1, new KeyValuePair<string, object?>("result", "rejected"));
        }

        if (Rejections.Enabled)
        {
            Rejections.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));
        }
    }
}

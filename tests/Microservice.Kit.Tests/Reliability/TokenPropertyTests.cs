using System.Text;
using CsCheck;
using Microservice.Kit.Tests.Tokens;
using Microservice.Kit.Tokens;

namespace Microservice.Kit.Tests.Reliability;

/// <summary>
/// Properties of token reading: whatever string reaches the validator — random text, JWS-shaped junk, or a valid
/// token with any byte changed, added or removed — it returns a rejection and never throws.
/// </summary>
public sealed class TokenPropertyTests : IDisposable
{
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private readonly TokenServices _services = new();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Validate_ArbitraryOrJwsShapedString_IsRejectedWithoutThrowing()
    {
        var segment = Gen.Char[Base64UrlAlphabet + "=+/.%"].Array[0, 300].Select(c => new string(c));
        var jwsShaped = Gen.Select(segment, segment, segment, (h, p, s) => $"{h}.{p}.{s}");
        var jsonShaped = Gen.Select(HostileStrings.Any, HostileStrings.Any, (h, p) =>
            $"{B64("{\"alg\":\"" + h + "\",\"typ\":\"at+jwt\"}")}.{B64("{\"sub\":\"" + p + "\"}")}.{B64(p)}");
        var gen = Gen.OneOf(HostileStrings.Any, jwsShaped, jsonShaped, Gen.Const(""), Gen.Const("."), Gen.Const(".."), Gen.Const("..."));

        await gen.SampleAsync(async token =>
        {
            var outcome = await _services.Validator.ValidateAsync(token);
            Assert.False(outcome.IsValid);
            Assert.NotEqual(TokenFailureReason.None, outcome.FailureReason);
            Assert.Throws<InvalidOperationException>(() => outcome.CreatePrincipal());
        }, iter: 3_000, threads: 1);
    }

    [Fact]
    public async Task Validate_AnyMutationOfAValidToken_IsRejected()
    {
        var token = _services.Issuer.Issue(new TokenRequest("alice") { Permissions = ["emp.create"] }).AccessToken;
        Assert.True((await _services.Validator.ValidateAsync(token)).IsValid);

        // Change one character to another, delete a run, insert a run, or swap two segments.
        var position = Gen.Int[0, token.Length - 1];
        var replace = Gen.Select(position, Gen.Char[Base64UrlAlphabet + ".=~ "], (at, c) => token[..at] + c + token[(at + 1)..])
            .Where(mutated => !string.Equals(mutated, token, StringComparison.Ordinal));
        var delete = Gen.Select(position, Gen.Int[1, 40], (at, n) => token.Remove(at, Math.Min(n, token.Length - at)));
        var insert = Gen.Select(position, Gen.Char[Base64UrlAlphabet + "."].Array[1, 20], (at, c) => token.Insert(at, new string(c)));
        var swap = Gen.Int[0, 2].Select(i =>
        {
            var parts = token.Split('.');
            (parts[i], parts[(i + 1) % 3]) = (parts[(i + 1) % 3], parts[i]);
            return string.Join('.', parts);
        });

        await Gen.OneOf(replace, delete, insert, swap).SampleAsync(async mutated =>
        {
            var outcome = await _services.Validator.ValidateAsync(mutated);
            Assert.False(outcome.IsValid, $"accepted a mutated token: {mutated}");
        }, iter: 3_000, threads: 1);
    }

    [Fact]
    public async Task Validate_TokenWithAnyOtherCharacterInPlaceOfEachOfTheLastFour_IsRejected()
    {
        // Exhaustive where random mutation is thin: the last base64url character of the signature carries padding
        // bits, so a lenient decoder would map several spellings to the same signature bytes (token malleability).
        var token = _services.Issuer.Issue(new TokenRequest("alice")).AccessToken;
        var accepted = new List<string>();
        for (var at = token.Length - 4; at < token.Length; at++)
        {
            foreach (var c in Base64UrlAlphabet)
            {
                if (c != token[at] && (await _services.Validator.ValidateAsync(token[..at] + c + token[(at + 1)..])).IsValid)
                {
                    accepted.Add($"{at}:{c}");
                }
            }
        }

        Assert.Empty(accepted);
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

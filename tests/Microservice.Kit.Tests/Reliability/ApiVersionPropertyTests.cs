using CsCheck;
using Microservice.Kit.Versioning;

namespace Microservice.Kit.Tests.Reliability;

/// <summary>Properties of <see cref="ApiVersion"/>: format/parse round-trips, a total order, and only the documented error.</summary>
public sealed class ApiVersionPropertyTests
{
    private static readonly Gen<string?> Status =
        Gen.OneOf(Gen.Const((string?)null), Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"].Array[1, 32].Select(c => (string?)new string(c)));

    private static readonly Gen<ApiVersion> Numeric =
        Gen.Select(Gen.OneOf(Gen.Int[0, 20], Gen.Int[0, 99_999_999]), Gen.OneOf(Gen.Int[0, 20], Gen.Int[0, 99_999_999]), Status,
            (major, minor, status) => new ApiVersion(major, minor, status));

    private static readonly Gen<ApiVersion> Dated =
        Gen.Select(Gen.Date[new DateTime(1000, 1, 1), new DateTime(9999, 12, 31)], Status,
            (date, status) => new ApiVersion(DateOnly.FromDateTime(date), status));

    private static readonly Gen<ApiVersion> Version = Gen.OneOf(Numeric, Dated);

    /// <summary>Near-versions: digits, dots, dashes and dates with one thing wrong, plus arbitrary text.</summary>
    private static readonly Gen<string> VersionLike = Gen.OneOf(
        Gen.Char["0123456789.-abvV \t+eE,"].Array[0, 24].Select(c => new string(c)),
        Gen.Select(Gen.Int[-5, 10_000], Gen.Int[-5, 13], Gen.Int[-5, 40], (y, m, d) => $"{y:D4}-{m:D2}-{d:D2}"),
        Version.Select(v => v.ToString() + HostileStrings.Pieces[Math.Abs(v.GetHashCode()) % HostileStrings.Pieces.Length]),
        Gen.Select(Gen.Long, Gen.Long, (a, b) => $"{a}.{b}"),
        HostileStrings.Any);

    [Fact]
    public void Parse_OfToString_RoundTrips()
    {
        Version.Sample(version =>
        {
            Assert.Equal(version, ApiVersion.Parse(version.ToString()));
            Assert.Equal(version.ToString(), ApiVersion.Parse(version.ToString()).ToString());
            Assert.Equal(version, ApiVersion.Parse(version.ToString("S", null)));
            Assert.True(ApiVersion.TryParse($"  {version}\t".AsSpan(), out var spaced));
            Assert.Equal(version, spaced);
        }, iter: 20_000);
    }

    [Fact]
    public void TryFormat_IntoAnyBufferSize_WritesAPrefixOfToStringOrReportsTooSmall()
    {
        Gen.Select(Version, Gen.Int[0, 64]).Sample((version, size) =>
        {
            var text = version.ToString();
            var buffer = new char[size];
            var ok = version.TryFormat(buffer, out var written);
            Assert.Equal(size >= text.Length, ok);
            if (ok)
            {
                Assert.Equal(text, new string(buffer, 0, written));
            }
        }, iter: 10_000);
    }

    [Fact]
    public void CompareTo_IsATotalOrderConsistentWithEquals()
    {
        Gen.Select(Version, Version, Version).Sample((a, b, c) =>
        {
            Assert.Equal(Math.Sign(a.CompareTo(b)), -Math.Sign(b.CompareTo(a)));
            Assert.Equal(a.Equals(b), a.CompareTo(b) == 0);
            Assert.Equal(a == b, a.GetHashCode() == b.GetHashCode() && a.Equals(b));
            if (a <= b && b <= c)
            {
                Assert.True(a <= c);
            }

            // The order survives a trip through text.
            Assert.Equal(Math.Sign(a.CompareTo(b)), Math.Sign(ApiVersion.Parse(a.ToString()).CompareTo(ApiVersion.Parse(b.ToString()))));
        }, iter: 20_000);
    }

    [Fact]
    public void Parse_AnyString_ReturnsAVersionThatRoundTripsOrThrowsFormatException()
    {
        var parsed = 0;
        VersionLike.Sample(text =>
        {
            var tried = ApiVersion.TryParse(text, out var viaTry);
            try
            {
                var version = ApiVersion.Parse(text);
                Assert.True(tried);
                Assert.Equal(viaTry, version);
                Assert.Equal(version, ApiVersion.Parse(version.ToString()));
                Interlocked.Increment(ref parsed);
            }
            catch (FormatException)
            {
                Assert.False(tried);
            }
        }, iter: 50_000);
        Assert.True(parsed > 100, $"only {parsed} generated strings parsed: the generator no longer reaches the accepting paths");
    }
}

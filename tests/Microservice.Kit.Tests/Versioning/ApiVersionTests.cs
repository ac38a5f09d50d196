using Microservice.Kit.Versioning;

namespace Microservice.Kit.Tests.Versioning;

public sealed class ApiVersionTests
{
    [Theory]
    [InlineData("1", 1, 0, null, "1.0")]
    [InlineData("1.0", 1, 0, null, "1.0")]
    [InlineData(" 2.1 ", 2, 1, null, "2.1")]
    [InlineData("3.0-beta", 3, 0, "beta", "3.0-beta")]
    [InlineData("10-rc1", 10, 0, "rc1", "10.0-rc1")]
    public void TryParse_NumericVersions(string text, int major, int minor, string? status, string formatted)
    {
        Assert.True(ApiVersion.TryParse(text, out var version));

        Assert.Equal(major, version.Major);
        Assert.Equal(minor, version.Minor);
        Assert.Equal(status, version.Status);
        Assert.Null(version.Date);
        Assert.Equal(formatted, version.ToString());
    }

    [Theory]
    [InlineData("2026-11-28", null)]
    [InlineData("2026-11-28-preview", "preview")]
    public void TryParse_DateVersions(string text, string? status)
    {
        Assert.True(ApiVersion.TryParse(text, out var version));

        Assert.Equal(new DateOnly(2026, 11, 28), version.Date);
        Assert.Equal(status, version.Status);
        Assert.Equal(text, version.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("v1")]
    [InlineData("1.")]
    [InlineData(".1")]
    [InlineData("1.0.0")]
    [InlineData("1.0-")]
    [InlineData("1.0-be ta")]
    [InlineData("-1")]
    [InlineData("one")]
    [InlineData("123456789")]
    [InlineData("2026-02-30")]
    [InlineData("2026-13-01")]
    [InlineData("0999-01-01")]
    [InlineData("2026-11-28x")]
    public void TryParse_RejectsWhatIsNotAVersion(string text)
    {
        Assert.False(ApiVersion.TryParse(text, out _));
        Assert.Throws<FormatException>(() => ApiVersion.Parse(text));
    }

    [Fact]
    public void Equality_IgnoresAMissingMinorAndStatusCase()
    {
        Assert.Equal(ApiVersion.Parse("1"), ApiVersion.Parse("1.0"));
        Assert.Equal(new ApiVersion(1.0), new ApiVersion(1, 0));
        Assert.Equal(ApiVersion.Parse("2.0-Beta"), ApiVersion.Parse("2.0-beta"));
        Assert.Equal(ApiVersion.Parse("2.0-Beta").GetHashCode(), ApiVersion.Parse("2.0-beta").GetHashCode());
        Assert.NotEqual(ApiVersion.Parse("2.0"), ApiVersion.Parse("2.0-beta"));
        Assert.True(ApiVersion.Parse("1.0") != ApiVersion.Parse("1.1"));
    }

    [Fact]
    public void Order_NumbersThenDates_PreReleasesFirst()
    {
        var sorted = new[] { "2026-11-28", "2.0", "1.10", "1.2", "2.0-beta", "2025-01-01", "1" }
            .Select(ApiVersion.Parse).Order().Select(v => v.ToString());

        Assert.Equal(["1.0", "1.2", "1.10", "2.0-beta", "2.0", "2025-01-01", "2026-11-28"], sorted);
        Assert.True(ApiVersion.Parse("2.0") > ApiVersion.Parse("1.9"));
        Assert.True(ApiVersion.Parse("1.0") <= ApiVersion.Parse("1"));
    }

    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(2.1, "2.1")]
    [InlineData(3, "3.0")]
    public void FromDouble_TakesTheDigitsAfterThePointAsMinor(double number, string expected)
    {
        Assert.Equal(expected, new ApiVersion(number).ToString());
    }

    [Theory]
    [InlineData("2.0", "2")]
    [InlineData("2.1", "2.1")]
    [InlineData("2026-11-28", "2026-11-28")]
    [InlineData("3.0-beta", "3-beta")]
    public void SegmentFormat_DropsAZeroMinor(string text, string expected)
    {
        Assert.Equal(expected, ApiVersion.Parse(text).ToString("S", null));
    }

    [Fact]
    public void TryFormat_TooSmallDestination_ReturnsFalse()
    {
        Span<char> small = stackalloc char[3];

        Assert.False(ApiVersion.Parse("10.25").TryFormat(small, out _));
        Assert.False(ApiVersion.Parse("1.0-beta").TryFormat(small, out _));
    }

    [Fact]
    public void Constructors_RejectInvalidParts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApiVersion(-1, 0));
        Assert.Throws<ArgumentException>(() => new ApiVersion(1, 0, "not ok"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApiVersion(double.NaN));
        Assert.Equal("2026-11-28-rc", new ApiVersion(new DateOnly(2026, 11, 28), "rc").ToString());
    }

    [Fact]
    public void RoundTrip_AnyParsedVersionFormatsToTextThatParsesToItself()
    {
        var random = new Random(42);
        for (var i = 0; i < 500; i++)
        {
            var version = random.Next(3) switch
            {
                0 => new ApiVersion(random.Next(0, 1000), random.Next(0, 1000)),
                1 => new ApiVersion(new DateOnly(2000, 1, 1).AddDays(random.Next(0, 20000))),
                _ => new ApiVersion(random.Next(0, 50), random.Next(0, 50), "rc" + random.Next(0, 9)),
            };

            Assert.True(ApiVersion.TryParse(version.ToString(), out var parsed));
            Assert.Equal(version, parsed);
        }
    }
}

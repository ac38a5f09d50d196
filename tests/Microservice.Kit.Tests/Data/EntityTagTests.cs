using Microservice.Kit.Data;

namespace Microservice.Kit.Tests.Data;

public sealed class EntityTagTests
{
    [Fact]
    public void FromVersion_IsAQuotedStrongTag()
    {
        Assert.Equal("\"3\"", EntityTag.FromVersion(3));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("*", null)]
    [InlineData(" * ", null)]
    [InlineData("\"3\"", 3L)]
    [InlineData(" \"12\" ", 12L)]
    [InlineData("W/\"3\"", EntityTag.NoMatch)]
    [InlineData("3", EntityTag.NoMatch)]
    [InlineData("\"abc\"", EntityTag.NoMatch)]
    [InlineData("\"0\"", EntityTag.NoMatch)]
    [InlineData("\"-1\"", EntityTag.NoMatch)]
    [InlineData("\"1\", \"2\"", EntityTag.NoMatch)]
    [InlineData("\"99999999999999999999\"", EntityTag.NoMatch)]
    public void ParseIfMatch_ReadsOurTagsAndNeverMatchesAnythingElse(string? header, long? expected)
    {
        Assert.Equal(expected, EntityTag.ParseIfMatch(header));
    }

    [Fact]
    public void TryParse_RoundTripsFromVersion()
    {
        Assert.True(EntityTag.TryParse(EntityTag.FromVersion(long.MaxValue), out var version));
        Assert.Equal(long.MaxValue, version);
    }
}

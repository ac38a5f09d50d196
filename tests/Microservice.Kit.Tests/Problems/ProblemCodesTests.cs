using Microservice.Kit.Problems;

namespace Microservice.Kit.Tests.Problems;

public sealed class ProblemCodesTests
{
    [Theory]
    [InlineData("FileExists", "urn:microservice-kit:problem:file-exists")]
    [InlineData("NotFound", "urn:microservice-kit:problem:not-found")]
    [InlineData("UnsupportedApiVersion", "urn:microservice-kit:problem:unsupported-api-version")]
    [InlineData("lower", "urn:microservice-kit:problem:lower")]
    public void TypeFor_KebabCasesTheCode(string code, string expected) =>
        Assert.Equal(expected, ProblemCodes.TypeFor(code));

    [Fact]
    public void KitException_StatusOutsideTheErrorRange_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KitException(200, "Ok", "Fine"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KitException(600, "Odd", "Odd"));
    }
}

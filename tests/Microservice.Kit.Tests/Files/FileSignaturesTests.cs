using Microservice.Kit.Files;

namespace Microservice.Kit.Tests.Files;

public sealed class FileSignaturesTests
{
    public static TheoryData<string, byte[]> Samples => new()
    {
        { "image/png", TestFiles.Png(64) },
        { "image/jpeg", TestFiles.Jpeg(64) },
        { "image/gif", TestFiles.Gif(64) },
        { "image/webp", TestFiles.WebP(64) },
        { "application/pdf", TestFiles.Pdf(64) },
        { "video/mp4", TestFiles.Mp4(64) },
        { "video/quicktime", TestFiles.QuickTime(64) },
        { "video/webm", TestFiles.WebM(64) },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Detect_KnownFile_ReturnsItsType(string contentType, byte[] bytes) =>
        Assert.Equal(contentType, FileSignatures.Detect(bytes)?.ContentType);

    [Fact]
    public void Detect_UnknownOrTooShort_ReturnsNull()
    {
        Assert.Null(FileSignatures.Detect(TestFiles.Executable(64)));
        Assert.Null(FileSignatures.Detect([0x89, 0x50]));
        Assert.Null(FileSignatures.Detect([]));
    }

    [Fact]
    public void Images_RejectsPdfAndVideo()
    {
        Assert.Null(FileSignatures.Detect(TestFiles.Pdf(64), FileSignatures.Images));
        Assert.Null(FileSignatures.Detect(TestFiles.Mp4(64), FileSignatures.Images));
        Assert.NotNull(FileSignatures.Detect(TestFiles.Png(64), FileSignatures.Images));
    }

    [Fact]
    public void CustomSignature_WithWildcards_Matches()
    {
        var tiff = new FileSignature("image/tiff", "49 49 2A 00");
        var riffWave = new FileSignature("audio/wav", "52 49 46 46 ?? ?? ?? ?? 57 41 56 45");

        Assert.True(tiff.Matches([0x49, 0x49, 0x2A, 0x00, 0x08]));
        Assert.False(tiff.Matches([0x4D, 0x4D, 0x00, 0x2A]));
        Assert.True(riffWave.Matches([.. "RIFF"u8, 1, 2, 3, 4, .. "WAVE"u8]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("GG")]
    [InlineData("4")]
    [InlineData("123")]
    public void Constructor_BadPattern_Throws(string pattern) =>
        Assert.ThrowsAny<ArgumentException>(() => new FileSignature("x/y", pattern));
}

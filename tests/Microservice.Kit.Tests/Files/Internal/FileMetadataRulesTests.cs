using Microservice.Kit.Files.Internal;

namespace Microservice.Kit.Tests.Files.Internal;

public sealed class FileMetadataRulesTests
{
    [Theory]
    [InlineData("invoice\u202Efdp.exe", "invoicefdp.exe")] // RIGHT-TO-LEFT OVERRIDE: would display as "invoiceexe.pdf"
    [InlineData("\u2067report\u2069.pdf", "report.pdf")]   // RIGHT-TO-LEFT ISOLATE and POP DIRECTIONAL ISOLATE
    [InlineData("a\u200Bb\u200Dc\uFEFF.txt", "abc.txt")]   // zero-width space, zero-width joiner, byte order mark
    [InlineData("soft\u00ADhyphen.txt", "softhyphen.txt")]
    [InlineData("plain name.pdf", "plain name.pdf")]
    [InlineData("Ünïcödé 名前.pdf", "Ünïcödé 名前.pdf")]
    public void SanitizeFileName_FormatCharacters_AreRemoved(string name, string expected)
    {
        Assert.Equal(expected, FileMetadataRules.SanitizeFileName(name));
    }

    [Fact]
    public void SanitizeFileName_OnlyFormatCharacters_IsNull()
    {
        Assert.Null(FileMetadataRules.SanitizeFileName("\u202E\u202D"));
    }
}

using Microservice.Kit.Files;
using Microservice.Kit.Problems;

namespace Microservice.Kit.Tests.Files;

public sealed class FileIdsTests
{
    /// <summary>Every way an id could reach outside the root, alias another file or break on some OS.</summary>
    public static TheoryData<string> InvalidIds => new()
    {
        "",
        ".",
        "..",
        "../etc/passwd",
        "..\\..\\windows\\win.ini",
        "a/../../b",
        "/etc/passwd",
        "/",
        "\\\\server\\share\\x",
        "C:\\Windows\\system32",
        "C:secret",
        "a/b",
        "a\\b",
        "%2e%2e%2fsecret",
        "a%2Fb",
        "..%c0%afetc",
        "a\0b",
        "report\0.pdf",
        ".hidden",
        ".tmp-0123456789abcdef",
        "trailing.",
        "CON",
        "con",
        "NUL.txt",
        "aux.tar.gz",
        "PRN",
        "COM1",
        "com9.log",
        "LPT1",
        "lpt0",
        new string('a', 129),
        "a b",
        " leading",
        "a:b",
        "a*b",
        "a?b",
        "a|b",
        "<a>",
        "\"quoted\"",
        "new\nline",
        "tab\tid",
        "caf\u00e9",
        "a\u2215b",
        "a\uff0fb",
        "file:///etc/passwd",
        "~root",
        "$HOME",
    };

    [Theory]
    [MemberData(nameof(InvalidIds))]
    public void Validate_InvalidId_Throws400InvalidFileId(string fileId)
    {
        Assert.False(FileIds.IsValid(fileId));
        var error = Assert.Throws<BadRequestException>(() => FileIds.Validate(fileId));
        Assert.Equal(400, error.StatusCode);
        Assert.Equal(FileProblemCodes.InvalidFileId, error.Code);
    }

    [Fact]
    public void InvalidIds_ListHasAtLeastTwentyCases() => Assert.True(InvalidIds.Count >= 20);

    [Theory]
    [InlineData("a")]
    [InlineData("report-2026.pdf")]
    [InlineData("employee_42_picture")]
    [InlineData("a..b")]
    [InlineData("CONSOLE")]
    [InlineData("console.log")]
    [InlineData("COM10")]
    [InlineData("0123456789abcdef0123456789abcdef")]
    public void Validate_ValidId_ReturnsIt(string fileId) => Assert.Equal(fileId, FileIds.Validate(fileId));

    [Fact]
    public void Validate_128Characters_IsValid() => Assert.True(FileIds.IsValid(new string('x', 128)));

    [Fact]
    public void NewId_IsValidAndUnique()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => FileIds.NewId()).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(1000, ids.Count);
        Assert.All(ids, id => Assert.True(FileIds.IsValid(id)));
    }

    [Fact]
    public void AnyAcceptedId_ResolvesDirectlyInsideTheRoot()
    {
        // Random strings over an alphabet rich in separators, dots, drive and escape characters: whatever the
        // rules accept must map to a file directly inside the root.
        using var root = new TempDirectory();
        var store = new LocalFileStore(root.Path);
        const string alphabet = "aZ09-_../\\:%\0 ~$*?CONULPTcom1";
        var random = new Random(20260);
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(1, 12)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var id = new string(chars);
            if (!FileIds.IsValid(id))
            {
                Assert.Throws<BadRequestException>(() => store.PathOf(id));
                continue;
            }

            accepted++;
            var full = Path.GetFullPath(store.PathOf(id));
            Assert.Equal(store.RootPath, Path.GetDirectoryName(full));
            Assert.Equal(id, Path.GetFileName(full));
        }

        Assert.True(accepted > 1000, $"only {accepted} ids were accepted; the generator does not exercise the valid path");
        Assert.Empty(root.Entries());
    }
}

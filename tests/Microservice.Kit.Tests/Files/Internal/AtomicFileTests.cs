using Microservice.Kit.Files.Internal;

namespace Microservice.Kit.Tests.Files.Internal;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kit-atomic-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void TryPublishNew_FreeName_MovesTheFile()
    {
        var temp = Write(".tmp-a", "new");
        var path = Path.Join(_directory, "report");

        Assert.True(AtomicFile.TryPublishNew(temp, path));

        Assert.Equal("new", File.ReadAllText(path));
        Assert.False(File.Exists(temp));
    }

    [Fact]
    public void TryPublishNew_ExistingName_RefusesAndLeavesBothFilesAsTheyWere()
    {
        var path = Write("report", "first");
        var temp = Write(".tmp-b", "second");

        Assert.False(AtomicFile.TryPublishNew(temp, path));

        Assert.Equal("first", File.ReadAllText(path));
        Assert.Equal("second", File.ReadAllText(temp));
    }

    [Fact]
    public void TryLink_OnUnix_IsTheOperatingSystemsSingleStepCreateIfAbsent()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Windows publishes with MoveFileEx, which is atomic by itself.
        }

        var temp = Write(".tmp-c", "content");
        var path = Path.Join(_directory, "linked");

        Assert.True(AtomicFile.TryLink(temp, path, out var first));
        Assert.False(AtomicFile.TryLink(temp, path, out var second));

        Assert.Equal(0, first);
        Assert.Equal(17, second); // EEXIST: the fallback path (and its in-process lock) is not what runs here
    }

    private string Write(string name, string content)
    {
        var path = Path.Join(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}

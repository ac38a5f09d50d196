using System.Text;
using CsCheck;
using Microservice.Kit.Files;
using Microservice.Kit.Problems;
using Microservice.Kit.Tests.Files;

namespace Microservice.Kit.Tests.Reliability;

/// <summary>Properties of file ids: no id the generators can make escapes the store root, and every accepted id round-trips.</summary>
public sealed class FileIdPropertyTests : IDisposable
{
    private readonly TempDirectory _parent = new();

    public void Dispose() => _parent.Dispose();

    [Fact]
    public void IsValid_AnyGeneratedId_AcceptedOnlyWhenItStaysAFileDirectlyUnderTheRoot()
    {
        var root = Path.Combine(_parent.Path, "store") + Path.DirectorySeparatorChar;
        HostileStrings.Any.Sample(id =>
        {
            if (!FileIds.IsValid(id))
            {
                var problem = Assert.Throws<BadRequestException>(() => FileIds.Validate(id));
                Assert.Equal(FileProblemCodes.InvalidFileId, problem.Code);
                return;
            }

            var full = Path.GetFullPath(Path.Join(root, id));
            Assert.Equal(root, Path.GetDirectoryName(full) + Path.DirectorySeparatorChar);
            Assert.Equal(id, Path.GetFileName(full));
            Assert.InRange(id.Length, 1, FileIds.MaxLength);
        }, iter: 20_000);
    }

    [Fact]
    public void IsValid_IdWithAnySeparatorDotDotNulOrNonAscii_IsRejected()
    {
        var hostile = HostileStrings.Assembled.Where(id =>
            id.Contains('/', StringComparison.Ordinal) || id.Contains('\\', StringComparison.Ordinal) || id.Contains('\0', StringComparison.Ordinal)
            || id.StartsWith('.') || id.Any(c => c > 127) || id.Contains('%', StringComparison.Ordinal));
        hostile.Sample(id => Assert.False(FileIds.IsValid(id), $"accepted {Escape(id)}"), iter: 5_000);
    }

    [Fact]
    public async Task LocalFileStore_AnyGeneratedId_RejectsWithoutTouchingDiskOrRoundTrips()
    {
        var root = Path.Combine(_parent.Path, "store");
        var store = new LocalFileStore(root, flushToDisk: false);
        var outside = Directory.EnumerateFileSystemEntries(_parent.Path, "*", SearchOption.AllDirectories)
            .Where(e => !e.StartsWith(root, StringComparison.Ordinal)).ToArray();
        var accepted = 0;
        var rejected = 0;

        await HostileStrings.Any.SampleAsync(async id =>
        {
            var content = Encoding.UTF8.GetBytes("content of " + id.Length);
            if (!FileIds.IsValid(id))
            {
                var before = Entries(root);
                await Assert.ThrowsAsync<BadRequestException>(() => store.WriteAsync(id, new MemoryStream(content), new FileWriteOptions { Overwrite = true }));
                await Assert.ThrowsAsync<BadRequestException>(() => store.OpenReadAsync(id));
                await Assert.ThrowsAsync<BadRequestException>(() => store.DeleteAsync(id));
                Assert.Equal(before, Entries(root));
                Interlocked.Increment(ref rejected);
                return;
            }

            await store.WriteAsync(id, new MemoryStream(content), new FileWriteOptions { Overwrite = true });
            var read = await store.OpenReadAsync(id);
            Assert.NotNull(read);
            await using (read)
            {
                using var copy = new MemoryStream();
                await read.Content.CopyToAsync(copy);
                Assert.Equal(content, copy.ToArray());
            }

            Assert.True(await store.DeleteAsync(id));
            Interlocked.Increment(ref accepted);
        }, iter: 400, threads: 1);

        // Nothing was created beside the root, nothing is left in it: no escaped file, no temporary litter.
        Assert.Equal(outside, Directory.EnumerateFileSystemEntries(_parent.Path, "*", SearchOption.AllDirectories)
            .Where(e => !e.StartsWith(root, StringComparison.Ordinal)).ToArray());
        Assert.Empty(Entries(root));
        Assert.True(accepted > 20 && rejected > 20, $"generator too one-sided: {accepted} accepted, {rejected} rejected");
    }

    private static string[] Entries(string root) =>
        Directory.Exists(root) ? Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray() : [];

    private static string Escape(string s) => string.Concat(s.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString()));
}

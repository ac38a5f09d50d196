using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsCheck;
using Microservice.Kit.Files;
using Microservice.Kit.Tests.Files;

namespace Microservice.Kit.Tests.Reliability;

/// <summary>
/// Multipart handling on a real Kestrel host: a well-formed upload body broken in one of many ways (truncated
/// anywhere, boundary mismatched, closing delimiter missing, headers mangled) is answered with a 4xx problem and
/// leaves neither the file nor a temporary file behind.
/// </summary>
public sealed class MultipartPropertyTests(FilesHostFixture fixture) : IClassFixture<FilesHostFixture>
{
    private const string Boundary = "kit-boundary-7MA4YWxkTrZu0gW";

    [Fact]
    public async Task Upload_MisBoundedOrTruncatedMultipart_Is4xxProblemAndLeavesNothingOnDisk()
    {
        var statuses = new Dictionary<int, int>();
        var mutation = Gen.Int[0, 9];
        await Gen.Select(mutation, Gen.Int[0, int.MaxValue], Gen.Int[1, 3000]).SampleAsync(async (kind, seed, size) =>
        {
            var fileId = "mp-" + Guid.NewGuid().ToString("N");
            var (body, contentType) = Broken(kind, seed, size, fileId);
            using var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            using var response = await fixture.Client.PostAsync(new Uri("/api/v1/files", UriKind.Relative), content);
            var status = (int)response.StatusCode;
            lock (statuses)
            {
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
            }

            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status is >= 400 and < 500, $"mutation {kind} (seed {seed}, size {size}) answered {status}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(text);
            Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
            Assert.DoesNotContain(fixture.Entries(), e => e.Contains(fileId, StringComparison.Ordinal) || Path.GetFileName(e).StartsWith(FileStoreConstants.TempPrefix, StringComparison.Ordinal));
        }, iter: 300, threads: 1);

        // The control: the unbroken body is stored.
        var (good, goodType) = Build(Encoding.ASCII.GetBytes("hello"), "mp-control-" + Guid.NewGuid().ToString("N"), Boundary, Boundary, closed: true);
        using var ok = new ByteArrayContent(good);
        ok.Headers.TryAddWithoutValidation("Content-Type", goodType);
        using var created = await fixture.Client.PostAsync(new Uri("/api/v1/files", UriKind.Relative), ok);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(statuses.Count > 0);
    }

    /// <summary>A valid upload of random bytes, then one deliberate break chosen by <paramref name="kind"/>.</summary>
    private static (byte[] Body, string ContentType) Broken(int kind, int seed, int size, string fileId)
    {
        var random = new Random(seed);
        var file = new byte[size];
        random.NextBytes(file);
        file[0] = 0x00;
        var (body, type) = Build(file, fileId, Boundary, Boundary, closed: true);
        var closingLength = Encoding.ASCII.GetByteCount($"\r\n--{Boundary}--\r\n");
        return kind switch
        {
            // Truncated anywhere before the closing delimiter is complete.
            0 => (body[..random.Next(0, body.Length - closingLength + 4)], type),
            // The header names a boundary the body never uses.
            1 => (Build(file, fileId, Boundary, "other-boundary", closed: true).Body, type),
            // No closing delimiter at all.
            2 => (Build(file, fileId, Boundary, Boundary, closed: false).Body, type),
            // Boundary missing from the Content-Type, or longer than RFC 2046's 70 characters.
            3 => (body, "multipart/form-data"),
            4 => Build(file, fileId, new string('b', 71), new string('b', 71), closed: true),
            // Part headers mangled: no blank line after them.
            5 => (Replace(body, "\r\n\r\n", "\r\n"), type),
            // A part header line far over any sane length.
            6 => (Replace(body, "Content-Disposition: form-data; name=\"file\"", "Content-Disposition: form-data; name=\"file\"; x=\"" + new string('x', 20_000) + "\""), type),
            // No file part: only the fields.
            7 => (Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file_id\"\r\n\r\n{fileId}\r\n--{Boundary}--\r\n"), type),
            // Garbage between delimiters, then truncated.
            8 => (Concat(Encoding.ASCII.GetBytes($"--{Boundary}\r\n"), file), type),
            // Two file parts.
            _ => (Replace(body, $"--{Boundary}--", $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.bin\"\r\n\r\nxx\r\n--{Boundary}--"), type),
        };
    }

    private static (byte[] Body, string ContentType) Build(byte[] file, string fileId, string headerBoundary, string bodyBoundary, bool closed)
    {
        var head = Encoding.ASCII.GetBytes(
            $"--{bodyBoundary}\r\nContent-Disposition: form-data; name=\"file_id\"\r\n\r\n{fileId}\r\n" +
            $"--{bodyBoundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        var tail = Encoding.ASCII.GetBytes(closed ? $"\r\n--{bodyBoundary}--\r\n" : "\r\n");
        return (Concat(head, file, tail), new MediaTypeHeaderValue("multipart/form-data") { Parameters = { new NameValueHeaderValue("boundary", headerBoundary) } }.ToString());
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Replace(byte[] body, string find, string with)
    {
        var text = Encoding.Latin1.GetString(body);
        var at = text.IndexOf(find, StringComparison.Ordinal);
        return at < 0 ? body : Encoding.Latin1.GetBytes(text[..at] + with + text[(at + find.Length)..]);
    }
}

using System.Diagnostics;
using System.Xml.Linq;

namespace Reliability.Tests.Infrastructure;

/// <summary>
/// An s3rver of the test's own (<c>eng/servers/s3.sh start DIR</c>), with one bucket, so that the test can read the
/// server's storage folder: s3rver answers 501 to listing multipart uploads, and keeps each one in
/// <c>DIR/objects/&lt;bucket&gt;/._S3rver_uploads/&lt;upload id&gt;/</c> (a file per part, removed when the upload completes).
/// Stopped (and its folder removed) on dispose.
/// </summary>
public sealed class PrivateS3Server : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _script;

    private PrivateS3Server(string directory, string script, string serviceUrl, string bucket)
    {
        _directory = directory;
        _script = script;
        ServiceUrl = serviceUrl;
        Bucket = bucket;
    }

    public string ServiceUrl { get; }

    public string Bucket { get; }

    private string UploadsFolder => Path.Combine(_directory, "objects", Bucket, "._S3rver_uploads");

    public static async Task<PrivateS3Server> StartAsync()
    {
        var script = Path.GetFullPath(Path.Combine(Samples.Tests.Infrastructure.SamplePaths.SamplesRoot, "..", "eng", "servers", "s3.sh"));
        var directory = Path.Combine(Path.GetTempPath(), "kit-crash-s3-" + Guid.NewGuid().ToString("N")[..12]);
        var (exitCode, output) = await RunAsync(script, "start", directory);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("KIT_TEST_S3=", StringComparison.Ordinal));
        if (exitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"eng/servers/s3.sh could not start a server ({exitCode}): {output}");
        }

        var server = new PrivateS3Server(directory, script, line["KIT_TEST_S3=".Length..].Trim(), "crash-" + Guid.NewGuid().ToString("N")[..12]);
        using var http = new HttpClient { BaseAddress = new Uri(server.ServiceUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        using var created = await http.PutAsync(new Uri(server.Bucket, UriKind.Relative), content: null);
        created.EnsureSuccessStatusCode();
        return server;
    }

    /// <summary>The multipart uploads s3rver holds (its folder per upload).</summary>
    public IReadOnlyList<string> Uploads() =>
        Directory.Exists(UploadsFolder) ? Directory.GetDirectories(UploadsFolder).Select(d => Path.GetFileName(d)).ToList() : [];

    /// <summary>How many parts the uploads in flight hold.</summary>
    public int StoredParts() => Directory.Exists(UploadsFolder)
        ? Directory.GetDirectories(UploadsFolder).Sum(d => Directory.GetFiles(d, "*.md5").Length)
        : 0;

    /// <summary>Every object key in the bucket (an anonymous listing: s3rver checks no signature).</summary>
    public async Task<IReadOnlyList<string>> KeysAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(ServiceUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        var xml = XDocument.Parse(await http.GetStringAsync(new Uri(Bucket + "?list-type=2&max-keys=1000", UriKind.Relative)));
        return xml.Descendants().Where(e => e.Name.LocalName == "Key").Select(e => e.Value).ToList();
    }

    public async ValueTask DisposeAsync() => await RunAsync(_script, "stop", _directory);

    private static async Task<(int ExitCode, string Output)> RunAsync(string script, string command, string directory)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output + await error);
    }
}

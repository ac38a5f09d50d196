using Amazon.S3;
using Amazon.S3.Model;
using Microservice.Kit.Files;
using Microservice.Kit.S3.Files;
using Microservice.Kit.S3.Files.Internal;
using Microservice.Kit.Tests.Infrastructure;

namespace Microservice.Kit.Tests.Files.Contract;

/// <summary>
/// The file store contract on an S3-compatible object store (<see cref="S3FileStore"/> on the s3rver test server): each
/// test under a prefix of its own in one bucket, with 5 MiB parts so that 12 MiB is a three-part upload.
/// </summary>
public sealed class S3FileStoreContractTests : FileStoreContractTests, IClassFixture<S3BucketFixture>, IDisposable
{
    private readonly S3BucketFixture _bucket;
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12] + "/";
    private S3FileStore? _store;

    public S3FileStoreContractTests(S3BucketFixture bucket)
    {
        _bucket = bucket;
    }

    protected override FileStoreProvider Provider => S3FileStoreProvider.Instance;

    public void Dispose() => _store?.Dispose();

    protected override Task<IFileStore> CreateProviderStoreAsync() =>
        Task.FromResult<IFileStore>(_store = new S3FileStore(_bucket.Client, _bucket.Name, _prefix, 5 * 1024 * 1024, arbiter: null, Time));

    protected override async Task<IReadOnlyList<string>> HeldAsync()
    {
        var objects = await _bucket.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket.Name, Prefix = _prefix });
        var uploads = await ListUploadsAsync();
        var held = new List<string>();
        foreach (var key in (objects.S3Objects ?? []).Select(o => o.Key[_prefix.Length..]))
        {
            // A content object that its file names is part of that file; any other is left over.
            if (!key.StartsWith(".blob-", StringComparison.Ordinal) || !await IsNamedByItsFileAsync(key))
            {
                held.Add(key);
            }
        }

        return [.. held.Order(StringComparer.Ordinal), .. uploads.Select(u => "upload:" + u.Key[_prefix.Length..])];
    }

    private async Task<bool> IsNamedByItsFileAsync(string blob)
    {
        // ".blob-<instance>-<write>-<id>": two 32-digit GUIDs, each followed by '-' (a hand-made one in a test may have one).
        var parts = blob.Split('-', 4);
        var id = parts.Length == 4 && parts[2].Length == 32 ? parts[3] : blob[(".blob-".Length + 33)..];
        try
        {
            var file = await _bucket.Client.GetObjectMetadataAsync(_bucket.Name, _prefix + id);
            return file.Metadata["blob"] == blob;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// The multipart uploads in progress under the prefix, where the server can list them: s3rver implements neither
    /// listing nor aborting them (501/405), so against it only the objects are checked.
    /// </summary>
    private async Task<IReadOnlyList<MultipartUpload>> ListUploadsAsync()
    {
        try
        {
            var uploads = await _bucket.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = _bucket.Name, Prefix = _prefix });
            return uploads.MultipartUploads ?? [];
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode is System.Net.HttpStatusCode.NotImplemented or System.Net.HttpStatusCode.MethodNotAllowed)
        {
            return [];
        }
    }

    [S3Fact]
    public async Task Write_StoresTheBytesThemselves_NotAwsChunkedFraming()
    {
        // s3rver keeps an aws-chunked body as the object's content (its issue 534): read the object back past the kit.
        var store = await NewStoreAsync();
        var bytes = TestFiles.Binary(70_000);

        await store.WriteAsync("raw", new MemoryStream(bytes));
        using var response = await _bucket.Client.GetObjectAsync(_bucket.Name, _prefix + "raw");
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);

        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal(bytes.Length, response.ContentLength);
    }

    [S3Fact]
    public async Task StartUpCleanUp_RemovesUnreferencedContentObjects_AndKeepsFiles()
    {
        var store = (S3FileStore)(await CreateProviderStoreAsync());
        await store.WriteAsync("kept", new MemoryStream([1, 2, 3]));
        await store.WriteAsync("kept-large", new MemoryStream(TestFiles.Binary(6 * 1024 * 1024)));
        var orphan = ".blob-" + Guid.NewGuid().ToString("N") + "-never-published";
        await _bucket.Client.PutObjectAsync(new PutObjectRequest { BucketName = _bucket.Name, Key = _prefix + orphan, ContentBody = "half", UseChunkEncoding = false });
        var heldBefore = await HeldAsync();

        var removed = await store.RemoveAbandonedUploadsAsync(DateTimeOffset.UtcNow.AddSeconds(5));

        Assert.Equal(1, removed);
        Assert.Equal(heldBefore.Where(k => k != orphan), await HeldAsync());
        Assert.Equal(6 * 1024 * 1024, (await ReadAll((await store.OpenReadAsync("kept-large"))!.Content)).Length);
    }

    [S3Fact]
    public async Task ServerDown_Is503_AndTheStoreRecoversWithIt()
    {
        // A client pointed at a closed port stands for the store being down; the same store object then talks to
        // the live server, as the service does when the store comes back (nothing is cached).
        using var down = S3ClientFactory.Create(new S3FileStoreOptions { ServiceUrl = "http://127.0.0.1:9", Bucket = _bucket.Name, MaxErrorRetry = 0, RequestTimeout = TimeSpan.FromSeconds(5) });
        using var store = new S3FileStore(down, _bucket.Name, _prefix);

        var error = await Assert.ThrowsAsync<Microservice.Kit.Problems.DependencyUnavailableException>(() => store.WriteAsync("down", new MemoryStream([1])));
        await Assert.ThrowsAsync<Microservice.Kit.Problems.DependencyUnavailableException>(() => store.GetInfoAsync("down"));

        Assert.Equal(503, error.StatusCode);
        Assert.DoesNotContain("127.0.0.1", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>One bucket on the S3-compatible test server and a client for it, shared by a test class.</summary>
public sealed class S3BucketFixture : IAsyncLifetime
{
    private AmazonS3Client? _client;

    public AmazonS3Client Client => _client ?? throw new InvalidOperationException("The bucket is not created yet.");

    public string Name { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        S3TestCredentials.Ensure();
        Name = await TestServers.CreateS3BucketAsync("kit-files");
        _client = S3ClientFactory.Create(new S3FileStoreOptions { ServiceUrl = TestServers.S3ServiceUrl.ToString(), Bucket = Name });
    }

    public Task DisposeAsync()
    {
        _client?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The test server accepts any key; the SDK reads them the standard AWS way, from the environment.</summary>
internal static class S3TestCredentials
{
    public static void Ensure()
    {
        if (Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is null)
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
        }
    }
}

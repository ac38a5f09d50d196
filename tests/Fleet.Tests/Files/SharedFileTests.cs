namespace Fleet.Tests.Files;

/// <summary>
/// Issue 18, test 4: file bytes live in the object store every replica sees, and create-only uploads stay exactly-once
/// across replicas even on a store that ignores <c>If-None-Match: *</c> (the S3 test server does).
/// </summary>
[Collection(FleetGroup.Name)]
public sealed class SharedFileTests(FleetTopology fleet)
{
    private const int Uploads = 32;
    private const int Rounds = 5;

    [FleetFact]
    public async Task FileUploadedThroughA_DownloadsThroughB_WholeAndWithRange()
    {
        using var a = fleet.A.CreateClient();
        using var b = fleet.B.CreateClient();
        var content = Http.RandomBytes(300 * 1024 + 17, seed: 18);
        var fileId = $"shared-{Guid.NewGuid():N}";

        using (var upload = Api.Request(HttpMethod.Post, "/api/v1/files", fleet.AdminToken))
        {
            upload.Content = Http.Upload(content, fileId);
            using var created = await a.SendAsync(upload);
            Assert.Equal(Http.Sha256Hex(content), (await created.ReadJsonAsync(HttpStatusCode.Created))["sha256"]!.GetValue<string>());
        }

        using var whole = await b.SendAsync(HttpMethod.Get, $"/api/v1/files/{fileId}", fleet.AdminToken);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(content, await whole.Content.ReadAsByteArrayAsync());

        using var ranged = Api.Request(HttpMethod.Get, $"/api/v1/files/{fileId}", fleet.AdminToken);
        ranged.Headers.Range = new RangeHeaderValue(100_000, 200_000);
        using var part = await b.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(content[100_000..200_001], await part.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 100000-200000/{content.Length}", part.Content.Headers.ContentRange?.ToString());
    }

    [FleetFact]
    public async Task CreateOnlyUploads_32OfOneIdSplitAcrossAAndB_ExactlyOne201And31Conflicts()
    {
        using var a = fleet.A.CreateClient();
        using var b = fleet.B.CreateClient();
        for (var round = 1; round <= Rounds; round++)
        {
            var fileId = $"race-{round}-{Guid.NewGuid():N}";
            var contents = Enumerable.Range(0, Uploads).Select(i => Http.RandomBytes(64 * 1024 + i, seed: (round * 100) + i)).ToArray();
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var uploads = Enumerable.Range(0, Uploads).Select(async uploader =>
            {
                await start.Task;
                using var request = Api.Request(HttpMethod.Post, "/api/v1/files", fleet.AdminToken);
                request.Content = Http.Upload(contents[uploader], fileId);
                using var response = await (uploader % 2 == 0 ? a : b).SendAsync(request);
                return (Uploader: uploader, Status: response.StatusCode);
            }).ToList();
            start.SetResult();
            var results = await Task.WhenAll(uploads);

            var statuses = string.Join(", ", results.Select(r => $"{r.Uploader}:{(int)r.Status}"));
            Assert.True(results.Count(r => r.Status == HttpStatusCode.Created) == 1, $"round {round}: not exactly one 201 ({statuses})");
            Assert.True(results.Count(r => r.Status == HttpStatusCode.Conflict) == Uploads - 1, $"round {round}: not {Uploads - 1} × 409 ({statuses})");

            // The stored bytes are the winner's, whole, through either replica.
            var winner = results.Single(r => r.Status == HttpStatusCode.Created).Uploader;
            foreach (var client in new[] { a, b })
            {
                using var download = await client.SendAsync(HttpMethod.Get, $"/api/v1/files/{fileId}", fleet.AdminToken);
                Assert.Equal(HttpStatusCode.OK, download.StatusCode);
                Assert.Equal(contents[winner], await download.Content.ReadAsByteArrayAsync());
            }
        }
    }
}

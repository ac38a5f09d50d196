using Microservice.Kit.Tests.Infrastructure;
using Samples.Tests.Infrastructure;

namespace Samples.Tests.Employees;

/// <summary>
/// Issue 14, item 2, end to end: the Employees sample with its data directory on a 16 MiB tmpfs, filled through its
/// own upload endpoint until the operating system says ENOSPC. Uploads and database writes then answer 507, readiness
/// is Unhealthy, and deleting files through the API brings both back without a restart.
/// </summary>
public sealed class DiskFullTests
{
    private const int Mebibyte = 1024 * 1024;

    [TmpfsFact(EmbeddedBackendOnly = true)]
    public async Task FullDisk_UploadsAndDatabaseWritesAre507_ReadinessUnhealthy_ThenRecoverAfterDeletingFiles()
    {
        using var disk = Tmpfs.Mount(16);
        var environment = new Dictionary<string, string?>
        {
            ["Employees__DataDirectory"] = disk.Path,

            // The store's free-space reserve would stop the uploads before the disk is full (its 507 is proven in
            // LocalFileStoreStorageTests); this test is about what happens when the disk really is full.
            ["MicroserviceKit__Files__MinFreeBytes"] = "0",
        };
        await using var employees = await SampleProcess.StartAsync(Sample.Employees, environment);
        using var client = employees.CreateClient();
        var token = await client.GetTokenAsync(Api.AdminUser, Api.DevAdminPassword);
        var ada = await client.CreateEmployeeAsync(token);

        // Fill the disk: large uploads while they fit, then ever smaller ones, down to a single byte.
        var stored = new List<string>();
        var refused = 0;
        for (var size = 4 * Mebibyte; size >= 1;)
        {
            var fileId = Api.Unique("fill");
            using var form = Api.Multipart(Api.Binary(size), "application/octet-stream", "fill.bin", fileId);
            using var request = Api.Request(HttpMethod.Post, "/api/v1/files", token);
            request.Content = form;
            using var upload = await client.SendAsync(request);
            if (upload.StatusCode == HttpStatusCode.Created)
            {
                stored.Add(fileId);
                continue;
            }

            await upload.ReadProblemAsync(HttpStatusCode.InsufficientStorage, "InsufficientStorage");
            refused++;
            size /= 2;
        }

        Assert.True(refused > 0, "no upload was refused: the disk never filled up");
        Assert.NotEmpty(stored);

        // The database cannot write either: 507, not the 500 of an unknown error, and readiness says so.
        using (var create = await client.SendAsync(HttpMethod.Post, "/api/v2/employees", token, new { name = "Grace Hopper", address = "Arlington" }))
        {
            await create.ReadProblemAsync(HttpStatusCode.InsufficientStorage, "InsufficientStorage");
        }

        using (var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        foreach (var fileId in stored)
        {
            using var delete = await client.SendAsync(HttpMethod.Delete, $"/api/v1/files/{fileId}", token);
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        // Space is back: the same process recovers (a failed reopen waits a second before the next; poll well past it).
        var deadline = DateTime.UtcNow.AddSeconds(60);
        HttpStatusCode created;
        do
        {
            using var create = await client.SendAsync(HttpMethod.Post, "/api/v2/employees", token, new { name = "Grace Hopper", address = "Arlington" });
            created = create.StatusCode;
            Assert.True(created is HttpStatusCode.Created or HttpStatusCode.InsufficientStorage or HttpStatusCode.ServiceUnavailable, $"unexpected {created}");
            if (created != HttpStatusCode.Created)
            {
                await Task.Delay(250);
            }
        }
        while (created != HttpStatusCode.Created && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Created, created);
        using (var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        using var read = await client.SendAsync(HttpMethod.Get, $"/api/v2/employees/{Api.IdOf(ada)}", token);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var upload2 = Api.Request(HttpMethod.Post, "/api/v1/files", token);
        upload2.Content = Api.Multipart(Api.Binary(Mebibyte), "application/octet-stream", "again.bin", Api.Unique("again"));
        using var again = await client.SendAsync(upload2);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }
}

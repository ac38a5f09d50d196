using Samples.Tests.Infrastructure;

namespace Samples.Tests.Employees;

/// <summary>
/// Issue 14, item 6, end to end: what the Employees sample writes into a fresh data directory — the database with its
/// password hashes, the signing key, uploaded files and pictures — is the service user's alone.
/// </summary>
public sealed class FileModesTests
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    [EmbeddedBackendFact]
    public async Task FreshDataDirectory_EverythingTheServiceWritesIsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix modes
        }

        using var parent = new TempDirectory("employees-modes");
        var data = Path.Combine(parent.Path, "data"); // created by the service, not by the test
        await using var employees = await SampleProcess.StartAsync(Sample.Employees, new Dictionary<string, string?> { ["Employees__DataDirectory"] = data });
        using var client = employees.CreateClient();
        var token = await client.GetTokenAsync(Api.AdminUser, Api.DevAdminPassword);
        var id = Api.IdOf(await client.CreateEmployeeAsync(token));
        using (var upload = Api.Request(HttpMethod.Post, "/api/v1/files", token))
        {
            upload.Content = Api.Multipart(Api.Binary(100_000), "application/pdf", "report.pdf", "report");
            using var response = await client.SendAsync(upload);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        using (var picture = Api.Request(HttpMethod.Put, $"/api/v1/employees/{id}/picture", token))
        {
            picture.Content = Api.Multipart(Api.Png(10_000), "image/png", "me.png");
            using var response = await client.SendAsync(picture);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var directories = Directory.EnumerateDirectories(data, "*", SearchOption.AllDirectories).Prepend(data).ToList();
        var files = Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).ToList();

        Assert.Contains(files, f => Path.GetFileName(f) == "employees.db");
        Assert.Contains(files, f => Path.GetFileName(f) == "report");
        Assert.Contains(files, f => Path.GetDirectoryName(f) == Path.Combine(data, "pictures"));
        var readableByOthers = new List<string>();
        foreach (var directory in directories)
        {
            if (File.GetUnixFileMode(directory) is var mode && mode != OwnerOnlyDirectory)
            {
                readableByOthers.Add($"{directory} is {mode}");
            }
        }

        foreach (var file in files)
        {
            if (File.GetUnixFileMode(file) is var mode && mode != OwnerOnlyFile)
            {
                readableByOthers.Add($"{file} is {mode}");
            }
        }

        Assert.Empty(readableByOthers);
    }
}

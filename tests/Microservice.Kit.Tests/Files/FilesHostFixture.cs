using System.Net.Http.Headers;
using Microservice.Kit.Files;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Microservice.Kit.Tests.Files;

/// <summary>
/// One real Kestrel service per test class, mapped the way the Employees sample maps files: the generic file
/// endpoints (1 MiB limit here), an images-only variant, and an employee picture built from the public helpers.
/// </summary>
public sealed class FilesHostFixture : IAsyncLifetime, IDisposable
{
    public const long MaxUploadBytes = 1024 * 1024;
    public const long MaxPictureBytes = 100 * 1024;

    private readonly TempDirectory _root = new();

    public KestrelTestHost Host { get; private set; } = null!;

    public HttpClient Client => Host.Client;

    public string RootPath => _root.Path;

    public string[] Entries() => _root.Entries();

    public async Task InitializeAsync()
    {
        Host = await KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit().AddFileStore(options => options.MaxUploadBytes = MaxUploadBytes)
                .UseLocalDisk(local => local.RootPath = _root.Path),
            app =>
            {
                app.UseMicroserviceKit();
                app.MapKitEndpoints();
                var files = app.MapFileEndpoints("/api/v1/files");
                files.Write.AddEndpointFilter(async (context, next) =>
                    context.HttpContext.Request.Headers.ContainsKey("X-Deny-Write") ? Results.StatusCode(403) : await next(context));
                app.MapFileEndpoints("/api/v1/images", new UploadPolicy { Allowed = FileSignatures.Images });

                var picture = new UploadPolicy { MaxBytes = MaxPictureBytes, Allowed = FileSignatures.Images };
                app.MapPut("/api/v1/employees/{id:int}/picture", async (int id, HttpContext http, FileUploads uploads) =>
                {
                    var stored = await uploads.ReadSingleFileAsync(http, picture, $"employee-{id}-picture", overwrite: true);
                    return Results.Ok(new { stored.FileId, stored.ContentType, stored.Size });
                });
                app.MapGet("/api/v1/employees/{id:int}/picture", (int id, IFileStore store) => FileResults.Download(store, $"employee-{id}-picture"));
                app.MapDelete("/api/v1/employees/{id:int}/picture", async (int id, IFileStore store) =>
                    await store.DeleteAsync($"employee-{id}-picture") ? Results.NoContent() : Results.NotFound());
            });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _root.Dispose();
    }

    public void Dispose() => _root.Dispose();

    public static MultipartFormDataContent Form(byte[] bytes, string? fileId = null, string? overwrite = null, string fileName = "upload.bin", string? contentType = null, bool fieldsAfterFile = false)
    {
        var form = new MultipartFormDataContent();
        if (!fieldsAfterFile)
        {
            AddFields(form, fileId, overwrite);
        }

        var file = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        form.Add(file, "file", fileName);
        if (fieldsAfterFile)
        {
            AddFields(form, fileId, overwrite);
        }

        return form;
    }

    private static void AddFields(MultipartFormDataContent form, string? fileId, string? overwrite)
    {
        if (fileId is not null)
        {
            form.Add(new StringContent(fileId), "file_id");
        }

        if (overwrite is not null)
        {
            form.Add(new StringContent(overwrite), "overwrite");
        }
    }
}

using System.Text.Json.Nodes;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Tests.Files;

public sealed class FileEndpointOpenApiTests
{
    [Fact]
    public async Task Upload_DeclaresItsMultipartForm_201AndItsProblems()
    {
        var operation = (await DocumentAsync()).Operation("post", "/files");

        var form = operation["requestBody"]!["content"]!["multipart/form-data"]!["schema"]!.AsObject();
        Assert.True(operation["requestBody"]!["required"]!.GetValue<bool>());
        Assert.Equal(["file"], form["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal("binary", form["properties"]!["file"]!["format"]!.GetValue<string>());
        Assert.Equal(["file", "file_id", "overwrite"], form["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["201", "400", "409", "413", "415"], operation.Statuses());
        Assert.Equal(["application/problem+json"], operation.MediaTypes("409"));
        Assert.Equal("#/components/schemas/FileUploadResponse", operation["responses"]!["201"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public async Task FileIdPattern_AgreesWithFileIds()
    {
        var form = (await DocumentAsync()).Operation("post", "/files")["requestBody"]!["content"]!["multipart/form-data"]!["schema"]!;
        var pattern = new System.Text.RegularExpressions.Regex(form["properties"]!["file_id"]!["pattern"]!.GetValue<string>());

        foreach (var id in new[] { "a", "report-2026", "x.y_z", new string('a', 128), ".hidden", "ends.", "a/b", "", new string('a', 129), "é" })
        {
            // Device names pass the pattern (they are in its description): everything else agrees.
            Assert.True(pattern.IsMatch(id) == Microservice.Kit.Files.FileIds.IsValid(id), $"pattern and FileIds disagree on '{id}'");
        }
    }

    [Fact]
    public async Task Download_DeclaresAnyMediaType_RangesConditionsAndProblems()
    {
        var operation = (await DocumentAsync()).Operation("get", "/files/{fileId}");

        Assert.Equal(["200", "206", "304", "400", "404", "412", "416"], operation.Statuses());
        Assert.Equal(["*/*"], operation.MediaTypes("200"));
        Assert.Equal(["*/*"], operation.MediaTypes("206"));
        Assert.Empty(operation.MediaTypes("304"));
    }

    [Fact]
    public async Task Delete_Declares204AndItsProblems()
    {
        var operation = (await DocumentAsync()).Operation("delete", "/files/{fileId}");

        Assert.Equal(["204", "400", "404", "412"], operation.Statuses());
    }

    [Fact]
    public async Task OwnUploadEndpoint_AcceptsFileUpload_DeclaresTheFilePartOnly()
    {
        var operation = (await DocumentAsync()).Operation("put", "/avatar");

        var form = operation["requestBody"]!["content"]!["multipart/form-data"]!["schema"]!.AsObject();
        Assert.Equal(["file"], form["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["200", "400", "413", "415"], operation.Statuses());
    }

    private static async Task<JsonObject> DocumentAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "kit-openapi-files-" + Guid.NewGuid().ToString("N"));
        try
        {
            return await OpenApiTestApp.DocumentAsync(
                kit => kit.AddFileStore().UseLocalDisk(options => options.RootPath = root),
                app =>
                {
                    app.MapFileEndpoints("/files");
                    app.MapPut("/avatar", () => "stored").AcceptsFileUpload();
                });
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}

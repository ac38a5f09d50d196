using System.Net;
using Microservice.Kit.Files;
using Microservice.Kit.Hosting;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Microservice.Kit.Tests.Files;

/// <summary>The named (keyed) overloads of <c>AddFileStore(name, ...)</c> and <c>MapFileEndpoints(..., storeName)</c>.</summary>
public sealed class FilesKitBuilderExtensionsNamedStoreTests
{
    [Fact]
    public void Named_Defaults_AreTheDocumentedOnes()
    {
        using var root = new TempDirectory();
        using var host = Build(root.Path, [], kit => kit.AddFileStore("pictures"));

        var options = host.Services.GetRequiredService<IOptionsMonitor<FileStoreOptions>>().Get("pictures");

        var local = host.Services.GetRequiredService<IOptionsMonitor<LocalFileStoreOptions>>().Get("pictures");

        Assert.Equal("Local", options.Backend);
        Assert.Equal("data/pictures", local.RootPath);
        Assert.Equal(100L * 1024 * 1024, options.MaxUploadBytes);
        Assert.True(local.FlushToDisk);
        var store = Assert.IsType<LocalFileStore>(TestFiles.Unwrap(host.Services.GetRequiredKeyedService<IFileStore>("pictures")));
        Assert.Equal(Path.Combine(root.Path, "data", "pictures"), store.RootPath);
    }

    [Fact]
    public void Named_ResolvesAKeyedStoreAndUploads_AndNoUnnamedOnes()
    {
        using var root = new TempDirectory();
        using var host = Build(root.Path, [], kit => kit.AddFileStore("pictures"));

        var store = host.Services.GetRequiredKeyedService<IFileStore>("pictures");

        Assert.Same(store, host.Services.GetRequiredKeyedService<IFileStore>("pictures"));
        Assert.Same(host.Services.GetRequiredKeyedService<FileUploads>("pictures"), host.Services.GetRequiredKeyedService<FileUploads>("pictures"));
        Assert.Null(host.Services.GetService<IFileStore>());
        Assert.Null(host.Services.GetService<FileUploads>());
        Assert.Null(host.Services.GetKeyedService<IFileStore>("other"));
    }

    [Fact]
    public async Task NamedAndUnnamedStores_AreIndependent()
    {
        using var root = new TempDirectory();
        using var host = Build(root.Path, [], kit => kit.AddFileStore().AddFileStore("pictures").AddFileStore("documents"));
        var unnamed = host.Services.GetRequiredService<IFileStore>();
        var pictures = host.Services.GetRequiredKeyedService<IFileStore>("pictures");
        var documents = host.Services.GetRequiredKeyedService<IFileStore>("documents");

        await unnamed.WriteAsync("only-unnamed", new MemoryStream([1]));
        await pictures.WriteAsync("shared-id", new MemoryStream(TestFiles.Png(100)));
        await documents.WriteAsync("shared-id", new MemoryStream(TestFiles.Pdf(200)));

        Assert.NotSame(unnamed, pictures);
        Assert.False(await pictures.ExistsAsync("only-unnamed"));
        Assert.False(await documents.ExistsAsync("only-unnamed"));
        Assert.False(await unnamed.ExistsAsync("shared-id"));
        Assert.Equal(100, (await pictures.GetInfoAsync("shared-id"))!.Size);
        Assert.Equal(200, (await documents.GetInfoAsync("shared-id"))!.Size);
        Assert.Equal(["only-unnamed"], (await unnamed.ListAsync()).Items.Select(i => i.FileId));
        Assert.Equal(["shared-id"], (await pictures.ListAsync()).Items.Select(i => i.FileId));
    }

    [Fact]
    public void Named_Configuration_BindsFromItsStoresSection_AndNotFromTheUnnamedOne()
    {
        using var root = new TempDirectory();
        using var host = Build(
            root.Path,
            new()
            {
                ["MicroserviceKit:Files:MaxUploadBytes"] = "999",
                ["MicroserviceKit:Files:Stores:pictures:Backend"] = "InMemory",
                ["MicroserviceKit:Files:Stores:pictures:MaxUploadBytes"] = "1234",
            },
            kit => kit.AddFileStore().AddFileStore("pictures").AddFileStore("documents"));
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<FileStoreOptions>>();

        Assert.Equal(1234, monitor.Get("pictures").MaxUploadBytes);
        Assert.Equal(999, host.Services.GetRequiredService<IOptions<FileStoreOptions>>().Value.MaxUploadBytes);
        Assert.Equal(100L * 1024 * 1024, monitor.Get("documents").MaxUploadBytes);
        Assert.IsType<InMemoryFileStore>(TestFiles.Unwrap(host.Services.GetRequiredKeyedService<IFileStore>("pictures")));
        Assert.IsType<LocalFileStore>(TestFiles.Unwrap(host.Services.GetRequiredService<IFileStore>()));
    }

    [Fact]
    public void Named_ActionRunsAfterConfiguration()
    {
        using var root = new TempDirectory();
        using var host = Build(
            root.Path,
            new() { ["MicroserviceKit:Files:Stores:pictures:MaxUploadBytes"] = "1234", ["MicroserviceKit:Files:Stores:pictures:RootPath"] = "from-config" },
            kit => kit.AddFileStore("pictures", o => o.MaxUploadBytes = 42));

        var options = host.Services.GetRequiredService<IOptionsMonitor<FileStoreOptions>>().Get("pictures");

        Assert.Equal(42, options.MaxUploadBytes);
        Assert.Equal("from-config", host.Services.GetRequiredService<IOptionsMonitor<LocalFileStoreOptions>>().Get("pictures").RootPath);
    }

    [Theory]
    [InlineData("MaxUploadBytes", "0", "MicroserviceKit:Files:Stores:pictures:MaxUploadBytes must be at least 1 byte")]
    [InlineData("RootPath", "", "MicroserviceKit:Files:Stores:pictures:RootPath is required when MicroserviceKit:Files:Stores:pictures:Backend is Local")]
    [InlineData("Backend", "7", "MicroserviceKit:Files:Stores:pictures:Backend '7' is not a file store provider")]
    public async Task Named_InvalidOptions_FailTheStartWithAMessageNamingTheFullKey(string property, string value, string expected)
    {
        using var root = new TempDirectory();
        using var host = Build(
            root.Path,
            new() { ["MicroserviceKit:Files:Stores:pictures:" + property] = value },
            kit => kit.AddFileStore("pictures").AddFileStore());

        var errors = ValidationErrors(await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync()));

        Assert.All(errors, e => Assert.Equal("pictures", e.OptionsName));
        var failures = errors.SelectMany(e => e.Failures).ToList();
        Assert.Contains(failures, f => f.Contains(expected, StringComparison.Ordinal));

        // The unnamed store's validators skip the named options: no message names the unnamed key.
        Assert.DoesNotContain(failures, f => f.Contains("MicroserviceKit:Files:" + property, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unnamed_InvalidOptions_StillFail_WhenANamedStoreWasAddedFirst()
    {
        using var root = new TempDirectory();
        using var host = Build(
            root.Path,
            new() { ["MicroserviceKit:Files:RootPath"] = "", ["MicroserviceKit:Files:MaxUploadBytes"] = "0" },
            kit => kit.AddFileStore("pictures").AddFileStore());

        var errors = ValidationErrors(await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync()));

        Assert.All(errors, e => Assert.Equal(string.Empty, e.OptionsName)); // Options.DefaultName
        var failures = errors.SelectMany(e => e.Failures).ToList();
        Assert.Contains(failures, f => f.Contains("MicroserviceKit:Files:RootPath is required", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("MicroserviceKit:Files:MaxUploadBytes", StringComparison.Ordinal));
    }

    /// <summary>The options failures of a failed start: one exception per options type (the store's and its provider's).</summary>
    private static List<OptionsValidationException> ValidationErrors(Exception error) => error switch
    {
        OptionsValidationException single => [single],
        AggregateException many => [.. many.Flatten().InnerExceptions.Select(e => Assert.IsType<OptionsValidationException>(e))],
        _ => throw new Xunit.Sdk.XunitException("Not an options validation failure: " + error),
    };

    [Fact]
    public async Task Named_Section_BindsIt_AndMessagesNameItsKeys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Pictures:Backend"] = "InMemory",
            ["Storage:Pictures:MaxUploadBytes"] = "0",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMicroserviceKit().AddFileStore("pictures", configuration.GetSection("Storage:Pictures"));
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<IFileStore>("pictures"));

        Assert.Contains(error.Failures, f => f.Contains("Storage:Pictures:MaxUploadBytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Named_RootThatCannotBeCreated_FailsTheStart()
    {
        using var root = new TempDirectory();
        var file = Path.Combine(root.Path, "a-file");
        await File.WriteAllBytesAsync(file, [1]);
        using var host = Build(root.Path, [], kit => kit.AddFileStore("pictures").UseLocalDisk(o => o.RootPath = Path.Combine(file, "pictures")));

        await Assert.ThrowsAnyAsync<IOException>(() => host.StartAsync());
    }

    [Fact]
    public async Task Named_SameRootAsAnotherStore_FailsTheStartNamingBothKeys()
    {
        using var root = new TempDirectory();
        var shared = Path.Combine(root.Path, "shared");
        using var host = Build(root.Path, [], kit => kit.AddFileStore().UseLocalDisk(o => o.RootPath = shared).AddFileStore("pictures").UseLocalDisk(o => o.RootPath = shared + "/"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("MicroserviceKit:Files:Stores:pictures stores its files in the same place as MicroserviceKit:Files", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Named_StoreIsCreatedWhenTheHostStarts_AndUsesTheTimeProvider()
    {
        using var root = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        using var host = Build(root.Path, [], kit =>
        {
            kit.Services.AddSingleton<TimeProvider>(time);
            kit.AddFileStore("pictures");
        });

        Assert.False(Directory.Exists(Path.Combine(root.Path, "data", "pictures")));
        await host.StartAsync();
        Assert.True(Directory.Exists(Path.Combine(root.Path, "data", "pictures")));

        var info = await host.Services.GetRequiredKeyedService<IFileStore>("pictures").WriteAsync("a", new MemoryStream([1, 2]));
        Assert.Equal(time.GetUtcNow(), info.CreatedAt);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a.b")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("a:b")]
    [InlineData("pic tures")]
    [InlineData("bilder-ä")]
    public void AddFileStore_BadName_ThrowsArgumentException(string name)
    {
        var kit = new ServiceCollection().AddMicroserviceKit();

        var error = Assert.ThrowsAny<ArgumentException>(() => kit.AddFileStore(name));

        Assert.Equal("name", error.ParamName);
    }

    [Fact]
    public void AddFileStore_NullName_ThrowsArgumentNullException()
    {
        var kit = new ServiceCollection().AddMicroserviceKit();

        Assert.Throws<ArgumentNullException>(() => kit.AddFileStore((string)null!));
    }

    [Fact]
    public void AddFileStore_NamesDifferingOnlyInCase_Throw()
    {
        var kit = new ServiceCollection().AddMicroserviceKit().AddFileStore("pictures");

        var error = Assert.Throws<ArgumentException>(() => kit.AddFileStore("Pictures"));

        Assert.Contains("'pictures'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddFileStore_SameNameTwice_IsHarmless_AndBothActionsApply()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMicroserviceKit()
            .AddFileStore("pictures").UseInMemory()
            .AddFileStore("pictures", o => o.MaxUploadBytes = 42)
            .AddFileStore("pictures");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<FileStoreOptions>>().Get("pictures");
        Assert.Equal("InMemory", options.Backend);
        Assert.Equal(42, options.MaxUploadBytes);
        Assert.Single(services, d => d.ServiceType == typeof(IFileStore) && Equals(d.ServiceKey, "pictures"));
        Assert.Single(services, d => d.ServiceType == typeof(FileUploads) && Equals(d.ServiceKey, "pictures"));
        Assert.Single(provider.GetServices<IHostedService>().OfType<Microservice.Kit.Files.Internal.FileStoreStartup>());
        Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations, r => r.Name == "files:pictures");
        Assert.Same(provider.GetRequiredKeyedService<IFileStore>("pictures"), provider.GetRequiredKeyedService<IFileStore>("pictures"));
    }

    [Fact]
    public async Task Readiness_HasACheckPerStore_AndReportsOnlyTheBrokenOne()
    {
        using var root = new TempDirectory();
        var files = Path.Combine(root.Path, "files");
        var pictures = Path.Combine(root.Path, "pictures");
        await using var host = await KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit().AddFileStore().UseLocalDisk(o => o.RootPath = files).AddFileStore("pictures").UseLocalDisk(o => o.RootPath = pictures),
            app =>
            {
                app.UseMicroserviceKit();
                app.MapKitEndpoints();
            });

        using var ready = await host.Client.GetAsync("/health/ready");
        var readyBody = await ready.Content.ReadAsStringAsync();
        Directory.Delete(pictures, recursive: true);
        using var notReady = await host.Client.GetAsync("/health/ready");
        var notReadyBody = await notReady.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"files:pictures\":\"Healthy\"", readyBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("\"files:pictures\":\"Unhealthy\"", notReadyBody, StringComparison.Ordinal);
        Assert.Contains("\"files\":\"Healthy\"", notReadyBody, StringComparison.Ordinal);
        Assert.DoesNotContain(root.Path, notReadyBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyedUploads_ObeyTheirOwnStoresMaxUploadBytes_OverHttp()
    {
        using var root = new TempDirectory();
        await using var host = await KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit()
                .AddFileStore().UseLocalDisk(o => o.RootPath = Path.Combine(root.Path, "files"))
                .AddFileStore("pictures", o => o.MaxUploadBytes = 1000).UseLocalDisk(o => o.RootPath = Path.Combine(root.Path, "pictures")),
            app =>
            {
                app.UseMicroserviceKit();
                app.MapFileEndpoints("/files");
                app.MapFileEndpoints("/pictures", storeName: "pictures");
                app.MapPut("/single/{id}", async (string id, HttpContext http, [FromKeyedServices("pictures")] FileUploads uploads) =>
                    Results.Ok(await uploads.ReadSingleFileAsync(http, new UploadPolicy(), id)));
            });

        using var tooLargeForm = await host.Client.PostAsync("/pictures", FilesHostFixture.Form(TestFiles.Binary(2000)));
        using var tooLargeSingle = await host.Client.PutAsync("/single/big", FilesHostFixture.Form(TestFiles.Binary(2000)));
        using var unnamed = await host.Client.PostAsync("/files", FilesHostFixture.Form(TestFiles.Binary(2000), fileId: "big"));
        using var small = await host.Client.PostAsync("/pictures", FilesHostFixture.Form(TestFiles.Binary(500), fileId: "small"));

        await FileEndpointTests.AssertProblem(tooLargeForm, HttpStatusCode.RequestEntityTooLarge, "PayloadTooLarge");
        await FileEndpointTests.AssertProblem(tooLargeSingle, HttpStatusCode.RequestEntityTooLarge, "PayloadTooLarge");
        Assert.Equal(HttpStatusCode.Created, unnamed.StatusCode);
        Assert.Equal(HttpStatusCode.Created, small.StatusCode);
        Assert.Equal(["small"], Directory.GetFiles(Path.Combine(root.Path, "pictures")).Select(f => Path.GetFileName(f)));
    }

    [Fact]
    public async Task MapFileEndpoints_StoreName_ServesThatStoreOnly()
    {
        using var root = new TempDirectory();
        await using var host = await KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit()
                .AddFileStore().UseLocalDisk(o => o.RootPath = Path.Combine(root.Path, "files"))
                .AddFileStore("pictures").UseLocalDisk(o => o.RootPath = Path.Combine(root.Path, "pictures")),
            app =>
            {
                app.UseMicroserviceKit();
                app.MapFileEndpoints("/files");
                app.MapFileEndpoints("/pictures", storeName: "pictures");
            });
        var png = TestFiles.Png(3000);

        using var created = await host.Client.PostAsync("/pictures", FilesHostFixture.Form(png, fileId: "cat"));
        using var fromPictures = await host.Client.GetAsync("/pictures/cat");
        using var fromFiles = await host.Client.GetAsync("/files/cat");
        using var deleteFromFiles = await host.Client.DeleteAsync("/files/cat");
        using var deleteFromPictures = await host.Client.DeleteAsync("/pictures/cat");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/pictures/cat", created.Headers.Location?.OriginalString);
        Assert.Equal(png, await fromPictures.Content.ReadAsByteArrayAsync());
        await FileEndpointTests.AssertProblem(fromFiles, HttpStatusCode.NotFound, "FileNotFound");
        await FileEndpointTests.AssertProblem(deleteFromFiles, HttpStatusCode.NotFound, "FileNotFound");
        Assert.Equal(HttpStatusCode.NoContent, deleteFromPictures.StatusCode);
    }

    [Fact]
    public void MapFileEndpoints_UnknownStoreName_ThrowsNamingTheAddCall()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddMicroserviceKit().AddFileStore();
        using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapFileEndpoints("/pictures", storeName: "pictures"));

        Assert.Contains("AddFileStore(\"pictures\")", error.Message, StringComparison.Ordinal);
    }

    private static IHost Build(string contentRoot, Dictionary<string, string?> settings, Action<IMicroserviceKitBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = contentRoot });
        builder.Configuration.AddInMemoryCollection(settings);
        configure(builder.AddMicroserviceKit());
        return builder.Build();
    }
}

using System.Net;
using Microservice.Kit.Files;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tests.Files;

public sealed class FilesKitBuilderExtensionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new FileStoreOptions();

        Assert.Equal("Local", options.Backend);
        Assert.Equal(100L * 1024 * 1024, options.MaxUploadBytes);
        var local = new LocalFileStoreOptions();
        Assert.Null(local.RootPath); // data/files for the unnamed store, data/<name> for a named one: see the named store tests
        Assert.True(local.FlushToDisk);
        Assert.Null(local.MaxTotalBytes);
        Assert.Equal(256L * 1024 * 1024, local.MinFreeBytes);
        Assert.Equal("file", new UploadPolicy().FileFieldName);
        Assert.Null(new UploadPolicy().MaxBytes);
    }

    [Fact]
    public void Configuration_SelectsTheInMemoryBackend()
    {
        using var host = Build(new() { ["MicroserviceKit:Files:Backend"] = "InMemory" });

        Assert.IsType<InMemoryFileStore>(TestFiles.Unwrap(host.Services.GetRequiredService<IFileStore>()));
    }

    [Fact]
    public void Configuration_RelativeRoot_IsUnderTheContentRoot()
    {
        using var root = new TempDirectory();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root.Path });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["MicroserviceKit:Files:RootPath"] = "stored" });
        builder.AddMicroserviceKit().AddFileStore();
        using var host = builder.Build();

        var store = Assert.IsType<LocalFileStore>(TestFiles.Unwrap(host.Services.GetRequiredService<IFileStore>()));

        Assert.Equal(Path.Combine(root.Path, "stored"), store.RootPath);
        Assert.True(Directory.Exists(store.RootPath));
    }

    [Theory]
    [InlineData("MicroserviceKit:Files:MaxUploadBytes", "0", "MicroserviceKit:Files:MaxUploadBytes")]
    [InlineData("MicroserviceKit:Files:MaxTotalBytes", "0", "MicroserviceKit:Files:MaxTotalBytes must be at least 1 byte")]
    [InlineData("MicroserviceKit:Files:MinFreeBytes", "-1", "MicroserviceKit:Files:MinFreeBytes must be 0 or more")]
    [InlineData("MicroserviceKit:Files:RootPath", "", "MicroserviceKit:Files:RootPath is required when MicroserviceKit:Files:Backend is Local")]
    public void InvalidOptions_FailWithAMessageNamingTheKey(string key, string value, string expected)
    {
        using var host = Build(new() { [key] = value });

        // MaxUploadBytes is shared by every store; the rest belong to the Local provider.
        var error = Assert.Throws<OptionsValidationException>(() => key.EndsWith("MaxUploadBytes", StringComparison.Ordinal)
            ? host.Services.GetRequiredService<IOptions<FileStoreOptions>>().Value
            : host.Services.GetRequiredService<IOptions<LocalFileStoreOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void AddFileStore_Twice_IsHarmless_AndTheActionApplies()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var kit = services.AddMicroserviceKit();
        kit.AddFileStore().UseInMemory().AddFileStore(o => o.MaxUploadBytes = 42);
        using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(IFileStore));
        Assert.Equal(42, provider.GetRequiredService<IOptions<FileStoreOptions>>().Value.MaxUploadBytes);
        Assert.Same(provider.GetRequiredService<IFileStore>(), provider.GetRequiredService<IFileStore>());
        Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations, r => r.Name == "files");
    }

    [Fact]
    public void AddFileStore_Section_BindsIt()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Backend"] = "InMemory",
            ["Storage:MaxUploadBytes"] = "1234",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMicroserviceKit().AddFileStore(configuration.GetSection("Storage"));
        using var provider = services.BuildServiceProvider();

        Assert.Equal(1234, provider.GetRequiredService<IOptions<FileStoreOptions>>().Value.MaxUploadBytes);
        Assert.IsType<InMemoryFileStore>(TestFiles.Unwrap(provider.GetRequiredService<IFileStore>()));
    }

    [Fact]
    public void MapFileEndpoints_WithoutAddFileStore_ThrowsNamingIt()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddMicroserviceKit();
        using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapFileEndpoints("/files"));

        Assert.Contains("AddFileStore", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_ReportsTheRootBeingUnwritable()
    {
        using var root = new TempDirectory();
        await using var host = await KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit().AddFileStore().UseLocalDisk(o => o.RootPath = root.Path),
            app =>
            {
                app.UseMicroserviceKit();
                app.MapKitEndpoints();
            });

        using var ready = await host.Client.GetAsync("/health/ready");
        Directory.Delete(root.Path, recursive: true);
        using var notReady = await host.Client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("\"files\":\"Unhealthy\"", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMicroserviceKit().AddFileStore();
        return builder.Build();
    }
}

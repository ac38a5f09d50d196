using Microservice.Kit.Versioning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tests.Versioning;

public sealed class ApiVersioningOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new ApiVersioningOptions();

        Assert.Equal("1.0", options.DefaultVersion);
        Assert.True(options.AssumeDefaultVersionWhenUnspecified);
        Assert.Empty(options.SupportedVersions);
        Assert.Empty(options.Deprecations);
        Assert.Equal("api-version", options.HeaderName);
        Assert.Equal("api-version", options.QueryParameterName);
        Assert.Equal("v", options.MediaTypeParameterName);
    }

    [Fact]
    public void Bind_ReadsTheVersioningSection()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MicroserviceKit:Versioning:DefaultVersion"] = "2.0",
            ["MicroserviceKit:Versioning:SupportedVersions:0"] = "1.0",
            ["MicroserviceKit:Versioning:SupportedVersions:1"] = "2.0",
            ["MicroserviceKit:Versioning:Deprecations:0:Version"] = "1.0",
            ["MicroserviceKit:Versioning:Deprecations:0:Sunset"] = "2027-06-30T00:00:00Z",
        }).Build();
        services.AddMicroserviceKit(configuration.GetSection("MicroserviceKit")).AddApiVersioning();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ApiVersioningOptions>>().Value;

        Assert.Equal("2.0", options.DefaultVersion);
        Assert.Equal(["1.0", "2.0"], options.SupportedVersions);
        Assert.Equal(new DateTimeOffset(2027, 6, 30, 0, 0, 0, TimeSpan.Zero), options.Deprecations.Single().Sunset);
    }

    [Theory]
    [InlineData("MicroserviceKit:Versioning:DefaultVersion", "two", "MicroserviceKit:Versioning:DefaultVersion 'two' is not an API version")]
    [InlineData("MicroserviceKit:Versioning:SupportedVersions:0", "x", "MicroserviceKit:Versioning:SupportedVersions:0 'x' is not an API version")]
    [InlineData("MicroserviceKit:Versioning:HeaderName", "bad header", "MicroserviceKit:Versioning:HeaderName must be a header name")]
    [InlineData("MicroserviceKit:Versioning:Deprecations:0:Version", "1.x", "MicroserviceKit:Versioning:Deprecations:0:Version '1.x' is not an API version")]
    public async Task Start_InvalidValue_FailsWithAMessageNamingTheFullKey(string key, string value, string message)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.AddMicroserviceKit().AddApiVersioning();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(error.Failures, failure => failure.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void SunsetBeforeDeprecation_IsRejected()
    {
        var services = new ServiceCollection();
        services.AddMicroserviceKit().AddApiVersioning(o => o.Deprecations.Add(new ApiVersionDeprecationOptions
        {
            Version = "1.0",
            Date = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Sunset = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        }));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ApiVersioningOptions>>().Value);

        Assert.Contains("MicroserviceKit:Versioning:Deprecations:0:Sunset must not be before its Date", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddApiVersioning_Twice_IsHarmless()
    {
        var services = new ServiceCollection();
        var kit = services.AddMicroserviceKit();
        kit.AddApiVersioning().AddApiVersioning();

        Assert.Single(services, d => d.ImplementationType?.Name == "ApiVersionMatcherPolicy");
    }
}

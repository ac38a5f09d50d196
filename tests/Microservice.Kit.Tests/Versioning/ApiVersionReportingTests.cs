using System.Globalization;
using System.Net;
using Microservice.Kit.Problems;
using Microservice.Kit.Versioning.Internal;
using Microsoft.AspNetCore.Builder;

namespace Microservice.Kit.Tests.Versioning;

public sealed class ApiVersionReportingTests
{
    [Theory]
    [InlineData("/api/v1/employees/7")]
    [InlineData("/api/v2/employees/7")]
    [InlineData("/api/employees/7")]
    [InlineData("/api/employees/7?api-version=2.0")]
    public async Task EveryVersionedResponse_ReportsSupportedAndDeprecatedVersions(string path)
    {
        await using var app = await VersionedApp.StartAsync();

        using var response = await app.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1.0, 2.0", response.Headers.GetValues("api-supported-versions").Single());
        Assert.Equal("1.0", response.Headers.GetValues("api-deprecated-versions").Single());
    }

    [Fact]
    public async Task DeprecatedVersion_CarriesDeprecationSunsetAndLink()
    {
        await using var app = await VersionedApp.StartAsync();

        using var response = await app.Client.GetAsync("/api/v1/employees/7");

        // RFC 9745: "@" + Unix seconds; RFC 8594: an IMF-fixdate.
        Assert.Equal("@" + VersionedApp.DeprecatedOn.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), response.Headers.GetValues("Deprecation").Single());
        Assert.Equal("Wed, 30 Jun 2027 00:00:00 GMT", response.Headers.GetValues("Sunset").Single());
        Assert.Contains("<https://docs.example/v1-deprecation>; rel=\"deprecation\"; type=\"text/html\"", response.Headers.GetValues("Link"));
    }

    [Fact]
    public async Task ProblemFromAVersionedHandler_StillReportsTheVersions()
    {
        await using var app = await VersionedApp.StartAsync(map: endpoints =>
        {
            var api = endpoints.MapVersionedGroup("/api", v => v.HasVersion(2.0).HasDeprecatedVersion(1.0));
            api.MapGet("/missing", string () => throw new NotFoundException("Employee 9 does not exist."));
        });

        using var response = await app.Client.GetAsync("/api/v1/missing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("1.0, 2.0", response.Headers.GetValues("api-supported-versions").Single());
        Assert.Equal("1.0", response.Headers.GetValues("api-deprecated-versions").Single());
        Assert.True(response.Headers.Contains("Sunset"));
    }

    [Fact]
    public async Task CurrentVersion_CarriesNoDeprecationOrSunset()
    {
        await using var app = await VersionedApp.StartAsync();

        using var response = await app.Client.GetAsync("/api/v2/employees/7");

        Assert.False(response.Headers.Contains("Deprecation"));
        Assert.False(response.Headers.Contains("Sunset"));
        Assert.False(response.Headers.Contains("Link"));
    }

    [Fact]
    public async Task SunsetLink_IsSentWithRelSunset()
    {
        await using var app = await VersionedApp.StartAsync(o => o.Deprecations[0].SunsetLink = new Uri("https://docs.example/sunset"));

        using var response = await app.Client.GetAsync("/api/v1/employees/7");

        Assert.Contains("<https://docs.example/sunset>; rel=\"sunset\"; type=\"text/html\"", response.Headers.GetValues("Link"));
    }

    [Fact]
    public void HttpDate_IsInvariant_WhateverTheCurrentCulture()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            var text = ApiVersionHeaders.FormatHttpDate(new DateTimeOffset(2027, 6, 30, 2, 0, 0, TimeSpan.FromHours(2)));

            Assert.Equal("Wed, 30 Jun 2027 00:00:00 GMT", text);
            Assert.True(ApiVersionHeaders.TryParseHttpDate(text, out var parsed));
            Assert.Equal(new DateTimeOffset(2027, 6, 30, 0, 0, 0, TimeSpan.Zero), parsed);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData("@1767225600", true)]
    [InlineData("@0", true)]
    [InlineData("1767225600", false)]
    [InlineData("@", false)]
    [InlineData("@abc", false)]
    [InlineData("", false)]
    public void Deprecation_ParsesOnlyTheRfc9745Form(string value, bool valid)
    {
        Assert.Equal(valid, ApiVersionHeaders.TryParseDeprecation(value, out _));
    }
}

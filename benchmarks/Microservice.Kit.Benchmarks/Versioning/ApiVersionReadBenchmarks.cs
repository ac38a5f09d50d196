using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microservice.Kit.Versioning;
using Microservice.Kit.Versioning.Internal;
using Microsoft.AspNetCore.Http;
using AspApiVersion = Asp.Versioning.ApiVersion;
using AspApiVersionParser = Asp.Versioning.ApiVersionParser;
using AspHeaderReader = Asp.Versioning.HeaderApiVersionReader;
using AspQueryReader = Asp.Versioning.QueryStringApiVersionReader;

namespace Microservice.Kit.Benchmarks.Versioning;

/// <summary>
/// Reading and parsing a request's version from a header, the query string and a URL segment value: the kit's
/// reader against Asp.Versioning's readers and parser on the same request. Each category's baseline is Asp.Versioning.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ApiVersionReadBenchmarks
{
    private readonly ApiVersionReader _kitHeader = new("api-version", string.Empty, string.Empty);
    private readonly ApiVersionReader _kitQuery = new(string.Empty, "api-version", string.Empty);
    private readonly AspHeaderReader _aspHeader = new("api-version");
    private readonly AspQueryReader _aspQuery = new("api-version");
    private readonly string _segment = "2.0";
    private HttpRequest _headerRequest = null!;
    private HttpRequest _queryRequest = null!;

    [GlobalSetup]
    public void Setup()
    {
        _headerRequest = new DefaultHttpContext().Request;
        _headerRequest.Headers["api-version"] = "2.0";
        _queryRequest = new DefaultHttpContext().Request;
        _queryRequest.QueryString = new QueryString("?page=1&pageSize=20&api-version=2.0");
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Header")]
    public AspApiVersion? AspVersioning_Header()
    {
        var values = _aspHeader.Read(_headerRequest);
        return values.Count == 1 && AspApiVersionParser.Default.TryParse(values[0], out var version) ? version : null;
    }

    [Benchmark]
    [BenchmarkCategory("Header")]
    public ApiVersion Kit_Header()
    {
        _kitHeader.Read(_headerRequest, out var version);
        return version;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Query")]
    public AspApiVersion? AspVersioning_Query()
    {
        var values = _aspQuery.Read(_queryRequest);
        return values.Count == 1 && AspApiVersionParser.Default.TryParse(values[0], out var version) ? version : null;
    }

    [Benchmark]
    [BenchmarkCategory("Query")]
    public ApiVersion Kit_Query()
    {
        _kitQuery.Read(_queryRequest, out var version);
        return version;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("UrlSegment")]
    public AspApiVersion? AspVersioning_Segment() =>
        AspApiVersionParser.Default.TryParse(_segment, out var version) ? version : null;

    [Benchmark]
    [BenchmarkCategory("UrlSegment")]
    public ApiVersion Kit_Segment() => ApiVersion.TryParse(_segment, out var version) ? version : default;
}

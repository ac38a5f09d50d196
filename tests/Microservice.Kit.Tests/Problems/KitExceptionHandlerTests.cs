using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microservice.Kit.Problems;
using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Microservice.Kit.Tests.Problems;

public sealed class KitExceptionHandlerTests
{
    public sealed record Payload(string Name, int Age);

    private static IResult Throw(string kind) => throw (kind switch
    {
        "bad-request" => (Exception)new BadRequestException("The page must be positive."),
        "validation" => new ValidationException(new Dictionary<string, string[]> { ["name"] = ["Name is required."] }),
        "not-found" => new NotFoundException("Employee 42 does not exist.", "EmployeeNotFound"),
        "conflict" => new ConflictException("A file with id 'report' already exists.", "FileExists"),
        "precondition" => new PreconditionFailedException("The ETag does not match."),
        "too-large" => new PayloadTooLargeException("The limit is 10 bytes."),
        "media-type" => new UnsupportedMediaTypeException("Only images are accepted."),
        "dependency" => new DependencyUnavailableException("Employees did not answer."),
        "unauthorized" => new KitException(401, ProblemCodes.Unauthorized, "Unauthorized", "Service 'employees' did not accept the caller's credentials."),
        "teapot" => new KitException(418, "Teapot", "I'm a teapot", "Short and stout.") { Extensions = { ["supportedVersions"] = new[] { "1.0", "2.0" } } },
        "json" => new JsonException("bad"),
        _ => new InvalidOperationException("connection string Password=hunter2 leaked"),
    });

    private static Task<KestrelTestHost> StartAsync(string environment = "Production") => KestrelTestHost.StartAsync(
        builder =>
        {
            builder.AddMicroserviceKit();
            builder.Services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = 1024);
        },
        app =>
        {
            app.UseMicroserviceKit();
            app.MapGet("/throw/{kind}", (string kind) => Throw(kind));
            app.MapPost("/json", (Payload payload) => Results.Ok(payload));
            app.MapGet("/number", (int value) => Results.Ok(value));
            app.MapGet("/only-get", () => Results.Ok());
            app.MapGet("/status/{status:int}", (int status) => Results.StatusCode(status));
        },
        environment);

    private static async Task<JsonElement> ReadProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement.Clone();
        Assert.Equal((int)response.StatusCode, root.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("traceId").GetString()));
        Assert.False(string.IsNullOrEmpty(root.GetProperty("title").GetString()));
        Assert.StartsWith(ProblemCodes.TypePrefix, root.GetProperty("type").GetString(), StringComparison.Ordinal);
        return root;
    }

    [Theory]
    [InlineData(408, "RequestTimeout")]
    [InlineData(416, "RangeNotSatisfiable")]
    [InlineData(422, "UnprocessableContent")]
    [InlineData(429, "TooManyRequests")]
    [InlineData(418, "ClientError")]
    [InlineData(502, "BadGateway")]
    [InlineData(503, "ServiceUnavailable")]
    [InlineData(507, "InsufficientStorage")]
    [InlineData(599, "ServerError")]
    public async Task BareStatus_GetsItsOwnCode(int status, string code)
    {
        await using var host = await StartAsync();

        using var response = await host.Client.GetAsync(new Uri($"/status/{status}", UriKind.Relative));
        var problem = await ReadProblemAsync(response);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(ProblemCodes.TypeFor(code), problem.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("bad-request", 400, "BadRequest", "urn:microservice-kit:problem:bad-request")]
    [InlineData("validation", 400, "ValidationFailed", "urn:microservice-kit:problem:validation-failed")]
    [InlineData("not-found", 404, "EmployeeNotFound", "urn:microservice-kit:problem:employee-not-found")]
    [InlineData("conflict", 409, "FileExists", "urn:microservice-kit:problem:file-exists")]
    [InlineData("precondition", 412, "PreconditionFailed", "urn:microservice-kit:problem:precondition-failed")]
    [InlineData("too-large", 413, "PayloadTooLarge", "urn:microservice-kit:problem:payload-too-large")]
    [InlineData("media-type", 415, "UnsupportedMediaType", "urn:microservice-kit:problem:unsupported-media-type")]
    [InlineData("dependency", 503, "DependencyUnavailable", "urn:microservice-kit:problem:dependency-unavailable")]
    [InlineData("teapot", 418, "Teapot", "urn:microservice-kit:problem:teapot")]
    [InlineData("json", 400, "MalformedJson", "urn:microservice-kit:problem:malformed-json")]
    [InlineData("anything-else", 500, "InternalError", "urn:microservice-kit:problem:internal-error")]
    public async Task Exception_BecomesAProblemWithStatusAndCode(string kind, int status, string code, string type)
    {
        await using var host = await StartAsync();

        using var response = await host.Client.GetAsync(new Uri($"/throw/{kind}", UriKind.Relative));
        var problem = await ReadProblemAsync(response);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(type, problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task KitException_DetailAndExtensions_AreSent()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.GetAsync(new Uri("/throw/teapot", UriKind.Relative));
        var problem = await ReadProblemAsync(response);

        Assert.Equal("Short and stout.", problem.GetProperty("detail").GetString());
        Assert.Equal(["1.0", "2.0"], problem.GetProperty("supportedVersions").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Unauthorized_NamesTheBearerScheme_InWwwAuthenticate()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.GetAsync(new Uri("/throw/unauthorized", UriKind.Relative));
        var problem = await ReadProblemAsync(response);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Unauthorized", problem.GetProperty("code").GetString());
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task ValidationException_ListsEachFieldError()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.GetAsync(new Uri("/throw/validation", UriKind.Relative));
        var problem = await ReadProblemAsync(response);

        Assert.Equal("Name is required.", problem.GetProperty("errors").GetProperty("name")[0].GetString());
    }

    [Fact]
    public async Task UnhandledException_InProduction_CarriesNoInternals()
    {
        await using var host = await StartAsync("Production");

        using var response = await host.Client.GetAsync(new Uri("/throw/boom", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnhandledException_InDevelopment_CarriesTheException()
    {
        await using var host = await StartAsync("Development");

        using var response = await host.Client.GetAsync(new Uri("/throw/boom", UriKind.Relative));
        var problem = await ReadProblemAsync(response);

        Assert.Contains("InvalidOperationException", problem.GetProperty("exception").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\":\"Ann\",", "MalformedJson")]
    [InlineData("[1,2,3]", "MalformedJson")]
    [InlineData("{\"name\":\"Ann\",\"age\":\"old\"}", "MalformedJson")]
    [InlineData("", "BadRequest")]
    public async Task JsonBody_Malformed_Is400(string body, string code)
    {
        await using var host = await StartAsync();

        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await host.Client.PostAsync(new Uri("/json", UriKind.Relative), content);
        var problem = await ReadProblemAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task JsonBody_WrongContentType_Is415()
    {
        await using var host = await StartAsync();

        using var content = new StringContent("name=Ann", Encoding.UTF8, "text/plain");
        using var response = await host.Client.PostAsync(new Uri("/json", UriKind.Relative), content);
        var problem = await ReadProblemAsync(response);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("UnsupportedMediaType", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task JsonBody_OverTheServersLimit_Is413()
    {
        await using var host = await StartAsync();

        var body = "{\"name\":\"" + new string('a', 64 * 1024) + "\",\"age\":1}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await host.Client.PostAsync(new Uri("/json", UriKind.Relative), content);
        var problem = await ReadProblemAsync(response);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("PayloadTooLarge", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ModelBinding_Failure_Is400()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.GetAsync(new Uri("/number?value=abc", UriKind.Relative));
        var problem = await ReadProblemAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BadRequest", problem.GetProperty("code").GetString());
        Assert.Contains("value", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    // The handler is the last line of defence: when writing the problem fails, ASP.NET Core rethrew the original
    // exception and Kestrel answered a bare 500 with no body.
    [Fact]
    public async Task Handler_WhenWritingTheProblemThrows_StillAnswersA500Problem()
    {
        await using var host = await KestrelTestHost.StartAsync(
            builder =>
            {
                builder.AddMicroserviceKit();
                builder.Services.AddSingleton<IProblemDetailsService, ThrowingProblemDetailsService>();
            },
            app =>
            {
                app.UseMicroserviceKit();
                app.MapGet("/throw/{kind}", (string kind) => Throw(kind));
            });

        using var response = await host.Client.GetAsync(new Uri("/throw/not-found", UriKind.Relative));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(ProblemCodes.InternalError, problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(500, problem.RootElement.GetProperty("status").GetInt32());
    }

    private sealed class ThrowingProblemDetailsService : IProblemDetailsService
    {
        public ValueTask WriteAsync(ProblemDetailsContext context) => throw new InvalidOperationException("the writer is broken");

        public ValueTask<bool> TryWriteAsync(ProblemDetailsContext context) => throw new InvalidOperationException("the writer is broken");
    }

    [Fact]
    public async Task UnknownRoute_Is404Problem()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.GetAsync(new Uri("/nowhere", UriKind.Relative));
        var problem = await ReadProblemAsync(response);

        Assert.Equal("NotFound", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task WrongMethod_Is405Problem()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.DeleteAsync(new Uri("/only-get", UriKind.Relative));
        var problem = await ReadProblemAsync(response);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("MethodNotAllowed", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Problem_IsWrittenEvenWhenAcceptNamesNoJson()
    {
        await using var host = await StartAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/throw/not-found");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var response = await host.Client.SendAsync(request);
        var problem = await ReadProblemAsync(response);

        Assert.Equal("EmployeeNotFound", problem.GetProperty("code").GetString());
    }
}

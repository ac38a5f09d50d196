using Microservice.Kit.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Microservice.Kit.Tests.Problems.Internal;

public sealed class ProblemOpenApiTests
{
    [Fact]
    public async Task ProblemSchema_RequiresWhatEveryKitProblemCarries_IncludingCode()
    {
        var document = await OpenApiTestApp.DocumentAsync(
            kit => { },
            app => app.MapGet("/things/{id}", (string id) => id).ProducesProblem(StatusCodes.Status404NotFound));

        var schema = document["components"]!["schemas"]!["ProblemDetails"]!.AsObject();
        Assert.Equal(["code", "status", "title", "type"], schema["required"]!.AsArray().Select(r => r!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal("string", schema["properties"]!["code"]!["type"]!.GetValue<string>());
        Assert.Equal("string", schema["properties"]!["traceId"]!["type"]!.GetValue<string>());
        Assert.Equal(["application/problem+json"], document.Operation("get", "/things/{id}").MediaTypes("404"));
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microservice.Kit.Clients;
using Microservice.Kit.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Microservice.Kit.Tests.Clients;

public sealed class ServiceClientTests
{
    [Fact]
    public async Task TypedCalls_SendAndReadJson()
    {
        var deleted = new List<int>();
        await using var service = await TestService.StartAsync(app =>
        {
            app.MapGet("/employees/{id:int}", (int id) => new Employee(id, "Ada", "London"));
            app.MapPost("/employees", (Employee e) => Results.Created($"/employees/{e.Id}", e with { Id = 42 }));
            app.MapPut("/employees/{id:int}", (int id, Employee e) => e with { Id = id, Name = e.Name.ToUpperInvariant() });
            app.MapDelete("/employees/{id:int}", (int id) =>
            {
                lock (deleted)
                {
                    deleted.Add(id);
                }

                return Results.NoContent();
            });
        });
        await using var harness = ClientTestHarness.Create(service.BaseAddress);
        var client = harness.Client;

        Assert.Equal(new Employee(3, "Ada", "London"), await client.GetAsync<Employee>("/employees/3"));
        Assert.Equal(42, (await client.PostAsync<Employee, Employee>("/employees", new Employee(0, "Grace", "Arlington"))).Id);
        await client.PostAsync("/employees", new Employee(0, "Grace", "Arlington"));
        Assert.Equal("GRACE", (await client.PutAsync<Employee, Employee>("/employees/5", new Employee(0, "Grace", "Arlington"))).Name);
        await client.PutAsync("/employees/5", new Employee(0, "Grace", "Arlington"));
        await client.DeleteAsync("/employees/9");
        Assert.Equal([9], deleted);
    }

    [Fact]
    public async Task SourceGeneratedContext_IsUsed()
    {
        await using var service = await TestService.StartAsync(app =>
        {
            app.MapGet("/employees/{id:int}", (int id) => new Employee(id, "Ada", "London"));
            app.MapPost("/employees", (Employee e) => e);
        });
        await using var harness = ClientTestHarness.Create(service.BaseAddress);

        var employee = await harness.Client.GetAsync("/employees/4", ClientTestJsonContext.Default.Employee);
        var echoed = await harness.Client.PostAsync("/employees", employee, ClientTestJsonContext.Default.Employee, ClientTestJsonContext.Default.Employee);

        Assert.Equal(new Employee(4, "Ada", "London"), echoed);
    }

    [Fact]
    public async Task ErrorResponse_ThrowsWithStatusProblemCodeDetailAndServiceName()
    {
        await using var service = await TestService.StartAsync(app => app.MapPost("/employees", () =>
            Results.Problem(statusCode: 409, title: "Conflict", detail: "Employee 7 already exists.", extensions: new Dictionary<string, object?> { ["code"] = "EmployeeExists" })));
        await using var harness = ClientTestHarness.Create(service.BaseAddress);

        var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.PostAsync<Employee, Employee>("/employees", new Employee(7, "Ada", "London")));

        Assert.Equal(ServiceCallFailure.ErrorResponse, error.Failure);
        Assert.Equal(HttpStatusCode.Conflict, error.ResponseStatusCode);
        Assert.Equal("EmployeeExists", error.ProblemCode);
        Assert.Equal("Employee 7 already exists.", error.ProblemDetail);
        Assert.Equal("employees", error.ServiceName);
        Assert.Equal("Service 'employees' answered 409 (EmployeeExists).", error.Message);
        Assert.DoesNotContain("already exists", error.Detail, StringComparison.Ordinal); // the dependency's detail is not forwarded
    }

    [Fact]
    public async Task NotFound_IsNullWhenAskedFor_AndAnErrorOtherwise()
    {
        await using var service = await TestService.StartAsync(app => app.MapGet("/employees/{id:int}", (int id) => Results.NotFound()));
        await using var harness = ClientTestHarness.Create(service.BaseAddress);

        Assert.Null(await harness.Client.GetOrDefaultAsync<Employee>("/employees/1"));
        var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<Employee>("/employees/1"));
        Assert.Equal(HttpStatusCode.NotFound, error.ResponseStatusCode);
    }

    [Fact]
    public async Task MalformedJson_InASuccess_IsAnInvalidResponseNotA400()
    {
        await using var service = await TestService.StartAsync(app => app.MapGet("/employees/1", () => Results.Text("{\"id\": ", "application/json")));
        await using var harness = ClientTestHarness.Create(service.BaseAddress);

        var error = await Assert.ThrowsAsync<ServiceCallException>(() => harness.Client.GetAsync<Employee>("/employees/1"));

        Assert.Equal(ServiceCallFailure.InvalidResponse, error.Failure);
        Assert.Equal(502, error.StatusCode);
        Assert.Equal(ProblemCodes.DependencyInvalidResponse, error.Code);
    }

    [Fact]
    public async Task UnhandledServiceCallException_LeavesTheCallingServiceAs503DependencyUnavailable()
    {
        var down = await TestService.DownAddressAsync();
        await using var library = await Infrastructure.KestrelTestHost.StartAsync(
            builder => builder.AddMicroserviceKit().AddServiceClient("employees", o =>
            {
                o.BaseAddress = down;
                o.Retry.BaseDelay = TimeSpan.FromMilliseconds(10);
            }),
            app =>
            {
                app.UseMicroserviceKit();
                app.MapPost("/books/{id:int}/loans", async (int id, [FromKeyedServices("employees")] ServiceClient employees) =>
                    Results.Ok(await employees.GetAsync<Employee>($"/employees/{id}")));
            });

        using var response = await library.Client.PostAsync(new Uri("/books/1/loans", UriKind.Relative), null);
        var problem = await response.Content.ReadFromJsonAsync<Dictionary<string, object?>>();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ProblemCodes.DependencyUnavailable, problem!["code"]?.ToString());
        Assert.Equal("employees", problem["service"]?.ToString());
        Assert.Equal("ConnectionFailed", problem["reason"]?.ToString());
        Assert.DoesNotContain("127.0.0.1", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TypedClient_GetsTheNamedServiceClient()
    {
        await using var service = await TestService.StartAsync(app => app.MapGet("/employees/{id:int}", (int id) => new Employee(id, "Ada", "London")));
        var services = new ServiceCollection();
        services.AddMicroserviceKit().AddServiceClient<EmployeesClient>("employees", o => o.BaseAddress = service.BaseAddress);
        await using var provider = services.BuildServiceProvider();

        var employees = provider.GetRequiredService<EmployeesClient>();

        Assert.Equal("Ada", await employees.NameOfAsync(2));
    }

    [Fact]
    public async Task AddServiceClient_CalledTwice_IsHarmless_AndEachAttemptIsSentOnce()
    {
        var requests = 0;
        await using var service = await TestService.StartAsync(app => app.MapGet("/flaky", () =>
            Interlocked.Increment(ref requests) == 1 ? Results.StatusCode(503) : Results.Ok(new Employee(1, "Ada", "London"))));
        var services = new ServiceCollection();
        var kit = services.AddMicroserviceKit();
        kit.AddServiceClient("employees", o => o.BaseAddress = service.BaseAddress);
        kit.AddServiceClient("employees", o => o.Retry.BaseDelay = TimeSpan.FromMilliseconds(5));
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredKeyedService<ServiceClient>("employees").GetAsync<Employee>("/flaky");

        Assert.Equal(2, requests); // one pipeline: a doubled retry handler would have sent more
    }

    [Fact]
    public void CreateClient_UnknownName_SaysWhichCallIsMissing()
    {
        var services = new ServiceCollection();
        services.AddMicroserviceKit().AddServiceClient("employees", o => o.BaseAddress = new Uri("http://employees/"));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IServiceClientFactory>().CreateClient("books"));

        Assert.Contains("AddServiceClient(\"books\"", error.Message, StringComparison.Ordinal);
    }

    public sealed class EmployeesClient(ServiceClient client)
    {
        public async Task<string> NameOfAsync(int id) => (await client.GetAsync<Employee>($"/employees/{id}")).Name;
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Employee))]
internal sealed partial class ClientTestJsonContext : JsonSerializerContext;

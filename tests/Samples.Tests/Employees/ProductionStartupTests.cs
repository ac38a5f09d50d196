namespace Samples.Tests.Employees;

/// <summary>The <c>Employees__Admin__Password</c> row: a default only in Development; required in Production.</summary>
public sealed class ProductionStartupTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Production_WithoutAdminPassword_RefusesToStart_AndSaysSo(string? password)
    {
        using var data = new TempDirectory("employees-prod");
        var environment = EmployeesFixture.EmployeesEnvironment(data);
        if (password is not null)
        {
            environment["Employees__Admin__Password"] = password;
        }

        var (exitCode, output) = await SampleProcess.RunToExitAsync(Sample.Employees, environment, "Production", TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        Assert.Contains("Employees:Admin:Password", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_WithAdminPassword_Starts_AndOnlyThatPasswordSignsIn()
    {
        using var data = new TempDirectory("employees-prod");
        var environment = EmployeesFixture.EmployeesEnvironment(data);
        environment["Employees__Admin__Password"] = "a-production-password-42";
        await using var employees = await SampleProcess.StartAsync(Sample.Employees, environment, "Production");
        using var client = employees.CreateClient();

        await client.GetTokenAsync(Api.AdminUser, "a-production-password-42");
        using var response = await client.PostAsync("/api/v1/tokens", System.Net.Http.Json.JsonContent.Create(new { username = Api.AdminUser, password = Api.DevAdminPassword }));
        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);

        // Outside Development an unknown failure never carries internals; a plain 404 is still a problem.
        using var missing = await client.GetAsync("/nowhere");
        await missing.ReadProblemAsync(HttpStatusCode.NotFound);
    }
}

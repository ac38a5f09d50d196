namespace Samples.Tests.Employees;

/// <summary>
/// The settings rows: <c>Employees__Admin__Password</c> (a default only in Development; required in Production) and
/// <c>Employees__DataDirectory</c> (<c>data/</c> under the content root when not set).
/// </summary>
public sealed class StartupTests
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
    public async Task Production_AdminPasswordShorterThan12_RefusesToStart_NamingTheSettingNotTheValue()
    {
        const string password = "Short-Pass1"; // 11 characters
        using var data = new TempDirectory("employees-prod");
        var environment = EmployeesFixture.EmployeesEnvironment(data);
        environment["Employees__Admin__Password"] = password;

        var (exitCode, output) = await SampleProcess.RunToExitAsync(Sample.Employees, environment, "Production", TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        Assert.Contains("Employees:Admin:Password", output, StringComparison.Ordinal);
        Assert.Contains("12 characters", output, StringComparison.Ordinal);
        Assert.DoesNotContain(password, output, StringComparison.Ordinal);
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

    [EmbeddedBackendFact]
    public async Task Development_WithNothingConfigured_KeepsItsDataUnderTheContentRoot()
    {
        // A content root of its own (the working directory, for `dotnet x.dll`), holding the sample's appsettings.
        using var contentRoot = new TempDirectory("employees-root");
        foreach (var settings in Directory.EnumerateFiles(SamplePaths.OutputDirectory(Sample.Employees), "appsettings*.json"))
        {
            File.Copy(settings, Path.Combine(contentRoot.Path, Path.GetFileName(settings)));
        }

        await using (var employees = await SampleProcess.StartAsync(Sample.Employees, new Dictionary<string, string?>(), "Development", workingDirectory: contentRoot.Path))
        {
            using var client = employees.CreateClient();
            var token = await client.GetTokenAsync(Api.AdminUser, Api.DevAdminPassword);
            await client.CreateEmployeeAsync(token);
        }

        var data = Path.Combine(contentRoot.Path, "data");
        Assert.True(Directory.Exists(data), "no data directory under the content root");
        Assert.NotEmpty(Directory.EnumerateFiles(data, "*.db", SearchOption.AllDirectories));
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(data, "keys"), "*", SearchOption.AllDirectories));
    }
}

using LiteDB;

namespace Samples.Tests.Employees;

/// <summary>
/// Password hashes: PBKDF2-HMAC-SHA512 at 210,000 iterations by default, <c>Employees__PasswordIterations</c> to change it,
/// and a hash stored with fewer iterations replaced at the user's next sign-in.
/// </summary>
public sealed class PasswordHashingTests
{
    [EmbeddedBackendFact]
    public async Task SignIn_HashStoredWithFewerIterations_IsRehashedAtTheConfiguredCount_AndStillVerifies()
    {
        using var data = new TempDirectory("employees-hash");
        const string password = "legacy-password-1";
        var legacy = Api.Unique("legacy");

        var environment = EmployeesFixture.EmployeesEnvironment(data);
        environment["Employees__PasswordIterations"] = "100000";
        await using (var old = await SampleProcess.StartAsync(Sample.Employees, environment))
        {
            using var client = old.CreateClient();
            var admin = await client.GetTokenAsync(Api.AdminUser, Api.DevAdminPassword);
            await client.CreateUserAsync(admin, legacy, password, "emp.list");
            await old.StopAsync();
        }

        Assert.Equal(100_000, IterationsOf(data, legacy));

        await using (var current = await SampleProcess.StartAsync(Sample.Employees, EmployeesFixture.EmployeesEnvironment(data)))
        {
            using var client = current.CreateClient();
            await client.GetTokenAsync(legacy, password);   // verifies the old hash, stores a new one
            await client.GetTokenAsync(legacy, password);   // verifies the new one
            using var wrong = await client.PostAsync("/api/v1/tokens", System.Net.Http.Json.JsonContent.Create(new { username = legacy, password = "legacy-password-2" }));
            await wrong.ReadProblemAsync(HttpStatusCode.Unauthorized);
            await current.StopAsync();
        }

        Assert.Equal(210_000, IterationsOf(data, legacy));
        Assert.Equal(210_000, IterationsOf(data, Api.AdminUser)); // the seeder rehashed admin on start
    }

    [Fact]
    public async Task Start_TooFewPasswordIterations_RefusesToStart_AndNamesTheSetting()
    {
        using var data = new TempDirectory("employees-hash");
        var environment = EmployeesFixture.EmployeesEnvironment(data);
        environment["Employees__PasswordIterations"] = "1000";

        var (exitCode, output) = await SampleProcess.RunToExitAsync(Sample.Employees, environment, "Development", TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        Assert.Contains("Employees:PasswordIterations", output, StringComparison.Ordinal);
    }

    /// <summary>The iteration count of a user's stored hash: Identity's V3 format is 0x01, PRF, iterations (big-endian), salt size, salt, subkey.</summary>
    private static int IterationsOf(TempDirectory data, string username)
    {
        using var database = new LiteDatabase($"Filename={Path.Combine(data.Path, "employees.db")};ReadOnly=true");
        var user = database.GetCollection("users").FindOne(Query.EQ("Username", username));
        Assert.NotNull(user);
        var hash = Convert.FromBase64String(user["PasswordHash"].AsString);
        Assert.Equal(0x01, hash[0]);
        Assert.Equal(2, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(1))); // HMACSHA512
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(5));
    }
}

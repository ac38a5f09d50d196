using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;

namespace Samples.Tests.Employees;

/// <summary>
/// <c>POST /api/v1/tokens</c> under the kit's sign-in throttling, in a process of its own with a short lockout
/// (3 failures, then 8 s) so that the shared fixture's many admin sign-ins are never locked out.
/// </summary>
public sealed class SignInThrottlingTests
{
    // Long enough that the two refused attempts right after the third failure land inside it on a loaded machine.
    private static readonly TimeSpan Lockout = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Token_RepeatedWrongPasswords_End429WithRetryAfter_AndTheRightPasswordIsRefusedUntilTheLockoutPasses()
    {
        using var data = new TempDirectory("employees-throttle");
        var environment = EmployeesFixture.EmployeesEnvironment(data);
        environment["MicroserviceKit__Tokens__SignIn__FailuresBeforeLockout"] = "3";
        environment["MicroserviceKit__Tokens__SignIn__LockoutDuration"] = "00:00:08";
        await using var employees = await SampleProcess.StartAsync(Sample.Employees, environment);
        using var client = employees.CreateClient();
        var admin = await client.GetTokenAsync(Api.AdminUser, Api.DevAdminPassword);
        var username = Api.Unique("guessed");
        const string password = "the-right-password-1";
        const string wrongPassword = "Wr0ng-Guess-Distinctive";
        await client.CreateUserAsync(admin, username, password, "emp.list");

        var sinceThirdFailure = new Stopwatch();
        for (var i = 1; i <= 3; i++)
        {
            if (i == 3)
            {
                sinceThirdFailure.Start(); // the lockout starts when the server handles this request, so never before now
            }

            using var failed = await SignInAsync(client, username, wrongPassword);
            await failed.ReadProblemAsync(HttpStatusCode.Unauthorized);
        }

        using (var guess = await SignInAsync(client, username, wrongPassword))
        {
            var problem = await guess.ReadProblemAsync(HttpStatusCode.TooManyRequests, "TooManyRequests");
            var retryAfter = guess.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), Lockout);
            Assert.Equal((long)retryAfter.Value.TotalSeconds, problem["retryAfter"]!.GetValue<long>());
        }

        using (var right = await SignInAsync(client, username, password))
        {
            await right.ReadProblemAsync(HttpStatusCode.TooManyRequests, "TooManyRequests");
            Assert.NotNull(right.Headers.RetryAfter?.Delta);
        }

        // The lockout is the user name's, not the address's: admin still signs in from the same client.
        await client.GetTokenAsync(Api.AdminUser, Api.DevAdminPassword);

        // Waiting as Retry-After says lets the right password in again; a generous bound only guards against a hang.
        var deadline = TimeSpan.FromSeconds(60);
        HttpStatusCode status;
        while (true)
        {
            using var attempt = await SignInAsync(client, username, password);
            status = attempt.StatusCode;
            if (status != HttpStatusCode.TooManyRequests || sinceThirdFailure.Elapsed > deadline)
            {
                break;
            }

            await Task.Delay(attempt.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(sinceThirdFailure.Elapsed >= Lockout - TimeSpan.FromMilliseconds(100), $"signed in {sinceThirdFailure.Elapsed} after the third failure, before the {Lockout} lockout ended");

        // Failed sign-ins are logged with the client address and a hash of the user name; never the password or the name.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(username.ToUpperInvariant()))[..16]);
        var output = employees.Output;
        Assert.Contains($"Sign-in failed for user name hash {hash} from 127.0.0.1", output, StringComparison.Ordinal);
        Assert.Contains($"User name hash {hash} locked out", output, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongPassword, output, StringComparison.Ordinal);
        Assert.DoesNotContain(password, output, StringComparison.Ordinal);
        Assert.All(output.Split('\n').Where(line => line.Contains("Sign-in", StringComparison.Ordinal)),
            line => Assert.DoesNotContain(username, line, StringComparison.Ordinal));
    }

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string username, string password) =>
        client.PostAsync("/api/v1/tokens", JsonContent.Create(new { username, password }));
}

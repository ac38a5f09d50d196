using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace BareEmployees;

/// <summary>
/// Fills a running Employees service through its own API (so the records are exactly what the service stores):
/// signs in as admin, creates the employees with a few requests in flight, then uploads one picture to each of the
/// first few. Prints the access token last, for the load generator.
/// </summary>
internal static class Seeder
{
    private const int InFlight = 8;

    public static async Task<int> RunAsync(string[] args)
    {
        var url = new Uri(Arguments.Get(args, "--url"));
        var password = Arguments.Get(args, "--password");
        var count = int.Parse(Arguments.Get(args, "--count", "10000"), System.Globalization.CultureInfo.InvariantCulture);
        var pictures = int.Parse(Arguments.Get(args, "--pictures", "100"), System.Globalization.CultureInfo.InvariantCulture);
        var picture = await File.ReadAllBytesAsync(Arguments.Get(args, "--picture"));

        using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        using (var signIn = await client.PostAsJsonAsync("/api/v1/tokens", new TokenRequest("admin", password), BareJsonContext.Default.TokenRequest))
        {
            if (!signIn.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"seed: sign-in answered {(int)signIn.StatusCode}: {await signIn.Content.ReadAsStringAsync()}");
                return 1;
            }

            var token = await signIn.Content.ReadFromJsonAsync(BareJsonContext.Default.TokenResponse);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        }

        var failures = 0;
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, InFlight).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i <= count; i = Interlocked.Increment(ref next))
            {
                using var response = await client.PostAsJsonAsync(
                    "/api/v1/employees", new EmployeeBody($"Employee {i}", $"{i} Load Test Street"), BareJsonContext.Default.EmployeeBody);
                if (response.StatusCode != System.Net.HttpStatusCode.Created && Interlocked.Increment(ref failures) <= 3)
                {
                    Console.Error.WriteLine($"seed: create answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }));

        for (var id = 1; id <= Math.Min(pictures, count); id++)
        {
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(picture);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "file", "picture.png");
            using var response = await client.PutAsync($"/api/v1/employees/{id}/picture", form);
            if (!response.IsSuccessStatusCode && Interlocked.Increment(ref failures) <= 6)
            {
                Console.Error.WriteLine($"seed: picture upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }

        Console.Error.WriteLine($"seed: {count} employees, {Math.Min(pictures, count)} pictures, {failures} failures");
        Console.WriteLine(client.DefaultRequestHeaders.Authorization.Parameter);
        return failures == 0 ? 0 : 1;
    }
}

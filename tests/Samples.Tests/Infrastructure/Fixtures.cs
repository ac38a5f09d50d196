using System.Collections.Concurrent;

namespace Samples.Tests.Infrastructure;

/// <summary>One Employees process (Development, fresh data directory) shared by a collection of tests.</summary>
public class EmployeesFixture : IAsyncLifetime
{
    public TempDirectory Data { get; } = new("employees-data");

    public SampleProcess Employees { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>A token of the seeded <c>admin</c>, who holds every permission.</summary>
    public string AdminToken { get; private set; } = null!;

    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> _shared = new(StringComparer.Ordinal);

    /// <summary>Setup made once per fixture (users, tokens) and shared by the tests of a class.</summary>
    public async Task<T> SharedAsync<T>(string key, Func<Task<T>> create)
        where T : class =>
        (T)await _shared.GetOrAdd(key, _ => new Lazy<Task<object>>(async () => await create())).Value;

    public virtual async Task InitializeAsync()
    {
        Employees = await SampleProcess.StartAsync(Sample.Employees, EmployeesEnvironment(Data));
        Client = Employees.CreateClient();
        AdminToken = await Client.GetTokenAsync(Api.AdminUser, Api.DevAdminPassword);
    }

    public virtual async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Employees is not null)
        {
            await Employees.DisposeAsync();
        }

        Data.Dispose();
    }

    public static Dictionary<string, string?> EmployeesEnvironment(TempDirectory data) => new()
    {
        ["Employees__DataDirectory"] = data.Path,
    };
}

/// <summary>Employees and a Library that calls it, each with its own fresh data directory.</summary>
public class LibraryFixture : EmployeesFixture
{
    public TempDirectory LibraryData { get; } = new("library-data");

    public SampleProcess Library { get; private set; } = null!;

    public HttpClient LibraryClient { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var environment = LibraryEnvironment(LibraryData, Employees);
        ConfigureLibrary(environment);
        Library = await SampleProcess.StartAsync(Sample.Library, environment);
        LibraryClient = Library.CreateClient();
    }

    public override async Task DisposeAsync()
    {
        LibraryClient?.Dispose();
        if (Library is not null)
        {
            await Library.DisposeAsync();
        }

        LibraryData.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>Adds settings to Library's environment before it starts.</summary>
    protected virtual void ConfigureLibrary(Dictionary<string, string?> environment)
    {
    }

    public static Dictionary<string, string?> LibraryEnvironment(TempDirectory data, SampleProcess employees) => new()
    {
        ["Library__DataDirectory"] = data.Path,
        ["Library__EmployeesBaseAddress"] = employees.BaseAddress.ToString().TrimEnd('/'),
    };
}

[CollectionDefinition(Name)]
public sealed class EmployeesServiceGroup : ICollectionFixture<EmployeesFixture>
{
    public const string Name = "Employees";
}

[CollectionDefinition(Name)]
public sealed class LibraryServiceGroup : ICollectionFixture<LibraryFixture>
{
    public const string Name = "Library";
}

namespace Library.Service;

/// <summary>The <c>Library</c> configuration section (environment form: <c>Library__DataDirectory</c>, ...).</summary>
internal sealed class LibrarySettings
{
    public const string Section = "Library";

    /// <summary>The LiteDB file. Relative paths are under the content root.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// Where Employees is: its JWKS validates tokens, its API names a loan's borrower. An address
    /// (<c>http://localhost:5080</c>) or a service name (<c>http://employees</c>, <c>https+http://employees</c>)
    /// that the kit resolves from <c>Services__employees__http__0</c> (or <c>__https__0</c>), as Aspire sets it.
    /// </summary>
    public Uri EmployeesBaseAddress { get; set; } = new("http://localhost:5080");

    public string DatabaseFile => Path.Combine(DataDirectory, "library.db");

    public string EmployeesJwksUrl => new Uri(EmployeesBaseAddress, "/.well-known/jwks.json").ToString();

    /// <summary>Where Library obtains its own token (client credentials, client id <c>library</c>) for calls on its own behalf.</summary>
    public Uri EmployeesTokenEndpoint => new(EmployeesBaseAddress, "/api/v1/tokens");

    public static LibrarySettings Read(IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(Section).Get<LibrarySettings>() ?? new LibrarySettings();
        settings.DataDirectory = Path.GetFullPath(settings.DataDirectory, builder.Environment.ContentRootPath);
        return settings;
    }
}

/// <summary>The permissions Library checks; Employees' seeded <c>admin</c> holds them.</summary>
internal static class Permissions
{
    public const string BooksRead = "books.read";
    public const string BooksWrite = "books.write";
}

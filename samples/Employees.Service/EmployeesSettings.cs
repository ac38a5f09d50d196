namespace Employees.Service;

/// <summary>The <c>Employees</c> configuration section (environment form: <c>Employees__DataDirectory</c>, ...).</summary>
internal sealed class EmployeesSettings
{
    public const string Section = "Employees";

    public const int DefaultPasswordIterations = 210_000;

    /// <summary>The shortest admin password accepted outside Development (OWASP ASVS 2.1.1 asks for at least 12 characters).</summary>
    public const int MinProductionAdminPasswordLength = 12;

    // ASP.NET Core Identity's own V3 default before .NET 7; fewer would make a stolen database cheap to crack.
    private const int MinPasswordIterations = 10_000;

    /// <summary>The LiteDB file, stored files, pictures and signing keys. Relative paths are under the content root.</summary>
    public string DataDirectory { get; set; } = "data";

    public AdminSettings Admin { get; set; } = new();

    /// <summary>Where files and pictures go: an S3-compatible object store when <see cref="StorageSettings.ServiceUrl"/> is set, else the data directory.</summary>
    public StorageSettings Storage { get; set; } = new();

    /// <summary>
    /// PBKDF2-HMAC-SHA512 iterations of new password hashes (<c>PasswordHasherOptions.IterationCount</c>). A stored hash
    /// with fewer is replaced at the user's next sign-in. 210,000 is OWASP's figure for PBKDF2-HMAC-SHA512.
    /// </summary>
    public int PasswordIterations { get; set; } = DefaultPasswordIterations;

    /// <summary>The largest upload <c>POST /api/v1/files</c> accepts.</summary>
    public long MaxFileBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>The largest picture <c>PUT .../picture</c> accepts.</summary>
    public long MaxPictureBytes { get; set; } = 10L * 1024 * 1024;

    /// <summary>Serves the metrics at <c>/metrics</c> for Prometheus to scrape (Microservice.Kit.Prometheus). Off by default.</summary>
    public bool PrometheusEndpoint { get; set; }

    public string DatabaseFile => Path.Combine(DataDirectory, "employees.db");

    public string FilesDirectory => Path.Combine(DataDirectory, "files");

    public string PicturesDirectory => Path.Combine(DataDirectory, "pictures");

    public string KeysDirectory => Path.Combine(DataDirectory, "keys");

    /// <summary>
    /// Reads the section, resolves the data directory against the content root, and refuses to go on (exit code 1) without an
    /// admin password (Development gets one from appsettings.Development.json, every other environment must set it), with
    /// one shorter than 12 characters outside Development, or with too few password hash iterations.
    /// </summary>
    public static EmployeesSettings Read(IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(Section).Get<EmployeesSettings>() ?? new EmployeesSettings();
        settings.DataDirectory = Path.GetFullPath(settings.DataDirectory, builder.Environment.ContentRootPath);
        if (string.IsNullOrWhiteSpace(settings.Admin.Password))
        {
            // Refuse to start, saying which key is missing: a clean message and exit code beat a stack trace here.
            Console.Error.WriteLine(
                $"Employees cannot start: {Section}:Admin:Password is required in the {builder.Environment.EnvironmentName} environment. "
                + "It is the password of the seeded 'admin' user; set it, for example with the environment variable Employees__Admin__Password.");
            Environment.Exit(1);
        }

        if (!builder.Environment.IsDevelopment() && settings.Admin.Password.Length < MinProductionAdminPasswordLength)
        {
            // Names the key and the rule, never the value: the output of a failed start ends up in logs.
            Console.Error.WriteLine(
                $"Employees cannot start: {Section}:Admin:Password must be at least {MinProductionAdminPasswordLength} characters in the "
                + $"{builder.Environment.EnvironmentName} environment. Set a longer password, for example with the environment variable Employees__Admin__Password.");
            Environment.Exit(1);
        }

        if (settings.PasswordIterations < MinPasswordIterations)
        {
            Console.Error.WriteLine(
                $"Employees cannot start: {Section}:PasswordIterations must be at least {MinPasswordIterations} (the default is {DefaultPasswordIterations}).");
            Environment.Exit(1);
        }

        return settings;
    }
}

/// <summary>The <c>Employees:Storage</c> section (<c>Employees__Storage__ServiceUrl</c>, <c>Employees__Storage__Bucket</c>).</summary>
internal sealed class StorageSettings
{
    /// <summary>An S3-compatible endpoint; credentials come from <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>/<c>AWS_REGION</c>.</summary>
    public string? ServiceUrl { get; set; }

    public string Bucket { get; set; } = "employees";
}

internal sealed class AdminSettings
{
    /// <summary>The password of the seeded <c>admin</c> user; hashed before it is stored, never logged.</summary>
    public string? Password { get; set; }
}

/// <summary>Every permission of both samples. The seeded <c>admin</c> holds them all.</summary>
internal static class Permissions
{
    public const string EmployeesCreate = "emp.create";
    public const string EmployeesList = "emp.list";
    public const string EmployeesUpdate = "emp.update";
    public const string EmployeesDelete = "emp.delete";
    public const string FilesRead = "files.read";
    public const string FilesWrite = "files.write";
    public const string UsersManage = "users.manage";
    public const string KeysManage = "keys.manage";
    public const string BooksRead = "books.read";
    public const string BooksWrite = "books.write";

    public static IReadOnlyList<string> All { get; } =
        [EmployeesCreate, EmployeesList, EmployeesUpdate, EmployeesDelete, FilesRead, FilesWrite, UsersManage, KeysManage, BooksRead, BooksWrite];
}

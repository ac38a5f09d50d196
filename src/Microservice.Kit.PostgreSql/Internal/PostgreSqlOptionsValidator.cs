using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microservice.Kit.PostgreSql.Internal;

/// <summary>
/// Validates one database's options on start. Messages name the setting to fix and never quote a value: a connection
/// string that fails to parse may hold a password anywhere in it.
/// </summary>
internal sealed class PostgreSqlOptionsValidator(string databaseName, string sectionKey) : IValidateOptions<PostgreSqlOptions>
{
    public const int MaxIdentifierLength = 63;

    public ValidateOptionsResult Validate(string? name, PostgreSqlOptions options)
    {
        if (!string.Equals(name, databaseName, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var connectionKey = options.ConnectionStringKey ?? sectionKey + ":ConnectionString";
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"ConnectionStrings:{databaseName} (or {sectionKey}:ConnectionString) must hold the PostgreSQL connection string of the '{databaseName}' database.");
        }
        else if (ConnectionStringProblem(options.ConnectionString) is { } problem)
        {
            failures.Add($"{connectionKey} is not a valid Npgsql connection string: {problem}");
        }

        if (!IsIdentifier(options.Schema))
        {
            failures.Add($"{sectionKey}:Schema must be 1 to {MaxIdentifierLength} letters, digits or underscores, starting with a letter or underscore.");
        }

        if (options.CommandTimeout < TimeSpan.FromSeconds(1) || options.CommandTimeout > TimeSpan.FromHours(1)
            || options.CommandTimeout.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            failures.Add($"{sectionKey}:CommandTimeout must be whole seconds between 00:00:01 and 01:00:00.");
        }

        if (options.MaxPageSize is < 1 or > 10_000)
        {
            failures.Add($"{sectionKey}:MaxPageSize must be between 1 and 10000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Why Npgsql refuses the connection string, naming at most a keyword, never a value; or <see langword="null"/>.</summary>
    internal static string? ConnectionStringProblem(string connectionString)
    {
        DbConnectionStringBuilder generic;
        try
        {
            generic = new DbConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (ArgumentException)
        {
            return "it is not a list of keyword=value pairs separated by ';'.";
        }

        // Set one keyword at a time, so that the message names the keyword Npgsql refused without quoting its value.
        var npgsql = new NpgsqlConnectionStringBuilder();
        foreach (string keyword in generic.Keys)
        {
            // An unknown keyword is not quoted either: it may be the tail of a password holding an unquoted ';'.
            if (!npgsql.ContainsKey(keyword))
            {
                return "it holds a keyword Npgsql does not know (a value containing ';' must be quoted).";
            }

            try
            {
                npgsql[keyword] = generic[keyword];
            }
            catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidCastException or OverflowException)
            {
                return string.Format(CultureInfo.InvariantCulture, "the value of '{0}' is not of the right kind.", keyword);
            }
        }

        return string.IsNullOrEmpty(npgsql.Host) ? "it names no Host." : null;
    }

    internal static bool IsIdentifier(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxIdentifierLength || !(char.IsAsciiLetter(value[0]) || value[0] == '_'))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}

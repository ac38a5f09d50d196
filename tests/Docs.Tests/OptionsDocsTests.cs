using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Docs.Tests.Infrastructure;
using Microservice.Kit.Problems;

namespace Docs.Tests;

/// <summary>
/// Every settable property of every public <c>*Options</c> class of the kit has a row in an options table of docs/
/// with its configuration key and its default, and every row of those tables names a real option.
/// </summary>
/// <remarks>
/// An options table is a table whose first column is headed <c>key ...</c> or <c>option ...</c>. A row's key is the first
/// backticked text of its first cell: a full key (<c>MicroserviceKit:Files:RootPath</c>), or a key under the table's
/// scope, the backticked text of its first header cell or else of the heading above it
/// (<c>## Options (`MicroserviceKit:Tokens`)</c>; an options class set only in code is scoped by its type name). The
/// column headed <c>default</c> must spell the default: <c>true</c>, <c>32</c>, <c>32 MiB</c>, <c>00:00:30</c> or
/// <c>30 s</c>, the enum member, the string, <c>empty</c> for an empty list; a default of <c>null</c> is described in
/// words (<c>none</c>, <c>required</c>, what is used instead).
/// </remarks>
public sealed partial class OptionsDocsTests
{
    private const string Root = "MicroserviceKit";

    /// <summary>Where each options class that is not a property of another one lives.</summary>
    private static readonly Dictionary<string, string> Scopes = new(StringComparer.Ordinal)
    {
        ["MicroserviceKitOptions"] = Root,
        ["TokenOptions"] = Root + ":Tokens",
        ["SignInThrottleOptions"] = Root + ":Tokens:SignIn",
        ["LiteDbOptions"] = Root + ":LiteDb",
        ["FileStoreOptions"] = Root + ":Files",
        ["LocalFileStoreOptions"] = Root + ":Files",
        ["S3FileStoreOptions"] = Root + ":Files",
        ["ApiVersioningOptions"] = Root + ":Versioning",
        ["ApiVersionDeprecationOptions"] = Root + ":Versioning:Deprecations:<i>",
        ["ServiceClientOptions"] = Root + ":Clients:<name>",
        ["ApiVersionClientOptions"] = "ApiVersionClientOptions",   // code only: AddApiVersion(o => ...)
        ["FileWriteOptions"] = "FileWriteOptions",                 // code only: IFileStore.WriteAsync
        ["PostgreSqlOptions"] = Root + ":PostgreSql:<name>",
    };

    // The core and the provider packages: each package's options are documented like the core's.
    private static readonly Assembly[] KitAssemblies =
        [typeof(ProblemCodes).Assembly, typeof(Microservice.Kit.PostgreSql.PostgreSqlOptions).Assembly, typeof(Microservice.Kit.S3.Files.S3FileStoreOptions).Assembly];

    [Fact]
    public void OptionsTables_ListEveryOptionWithItsKeyAndDefault()
    {
        var expected = ExpectedOptions(out var failures);
        var rows = DocumentedRows();

        foreach (var option in expected.Values.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            var documented = rows.Where(r => r.Key == option.Key).ToList();
            if (documented.Count == 0)
            {
                failures.Add($"Option {option.Source} (key `{option.Key}`, default {Describe(option.Default)}) has no row in an options table of docs/: " +
                    $"add | `{Leaf(option.Key)}` | {Describe(option.Default)} | ... | to the table of `{Scope(option.Key)}`.");
                continue;
            }

            foreach (var row in documented.Where(r => !SpellsDefault(r.Default, option.Default)))
            {
                failures.Add($"{row.Where}: the default of `{option.Key}` is {Describe(option.Default)} (accepted spellings: " +
                    $"{string.Join(", ", Spellings(option.Default) ?? ["any text"])}), but the row's default cell says '{row.Default}'.");
            }
        }

        foreach (var row in rows.Where(r => !expected.ContainsKey(r.Key)))
        {
            failures.Add($"{row.Where}: documents option `{row.Key}`, which no public *Options class of the kit has.");
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private sealed record Option(string Key, string Source, object? Default);

    private sealed record Row(string Key, string Default, string Where);

    private static Dictionary<string, Option> ExpectedOptions(out List<string> failures)
    {
        failures = [];
        var options = new Dictionary<string, Option>(StringComparer.Ordinal);
        var optionTypes = KitAssemblies.SelectMany(a => a.GetExportedTypes())
            .Where(t => t.IsClass && t.Name.EndsWith("Options", StringComparison.Ordinal))
            .ToList();
        var nested = new HashSet<Type>();
        foreach (var type in optionTypes.Where(t => Scopes.ContainsKey(t.Name)))
        {
            Walk(type, Activator.CreateInstance(type)!, Scopes[type.Name], options, nested);
        }

        foreach (var type in optionTypes.Where(t => !Scopes.ContainsKey(t.Name) && !nested.Contains(t)))
        {
            failures.Add($"Public options class {type.FullName} is not checked: add where its keys live to OptionsDocsTests.Scopes " +
                "(\"MicroserviceKit:Feature\", or its type name when it is set only in code) and an options table to its docs page.");
        }

        return options;
    }

    private static void Walk(Type type, object instance, string prefix, Dictionary<string, Option> options, HashSet<Type> nested)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetMethod?.IsPublic == true && p.SetMethod?.IsPublic == true))
        {
            var value = property.GetValue(instance);
            var key = prefix + ":" + property.Name;
            if (IsOptionsObject(property.PropertyType) && value is not null)
            {
                nested.Add(property.PropertyType);
                Walk(property.PropertyType, value, key, options, nested);
                continue;
            }

            options[key] = new Option(key, $"{type.Name}.{property.Name}", value);
        }
    }

    private static bool IsOptionsObject(Type type) =>
        KitAssemblies.Contains(type.Assembly) && type.IsClass && type.Name.EndsWith("Options", StringComparison.Ordinal);

    private static List<Row> DocumentedRows()
    {
        var rows = new List<Row>();
        foreach (var table in DocPages.Tables)
        {
            var first = table.Header.Count > 0 ? table.Header[0].Trim().ToLowerInvariant() : "";
            if (first != "key" && !first.StartsWith("key ", StringComparison.Ordinal) && !first.StartsWith("option", StringComparison.Ordinal))
            {
                continue;
            }

            var scope = DocPages.CodeSpans(table.Header[0]).Concat(DocPages.CodeSpans(table.Heading)).FirstOrDefault();
            scope = scope is null ? null : ScopeSuffix().Replace(scope, "");
            var defaultColumn = table.ColumnOf(h => h == "default");
            foreach (var row in table.Rows)
            {
                var name = DocPages.CodeSpans(row.Cell(0)).FirstOrDefault();
                if (name is null)
                {
                    continue;
                }

                name = name.Replace("[]", "", StringComparison.Ordinal);
                var key = name.StartsWith(Root + ":", StringComparison.Ordinal) || scope is null ? name : scope + ":" + name;
                rows.Add(new Row(key, row.Cell(defaultColumn), $"{table.Path}:{row.Line}"));
            }
        }

        return rows;
    }

    private static bool SpellsDefault(string cell, object? value)
    {
        if (cell.Trim().Length == 0)
        {
            return false;
        }

        var spellings = Spellings(value);
        return spellings is null || spellings.Any(s => Regex.IsMatch(
            cell, @"(?<![A-Za-z0-9_.])" + Regex.Escape(s) + @"(?![A-Za-z0-9_]|\.\d)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant));
    }

    // null: the default is not a value to spell (null, or an object such as JsonSerializerOptions): any words do.
    private static List<string>? Spellings(object? value)
    {
        var invariant = CultureInfo.InvariantCulture;
        switch (value)
        {
            case null:
                return null;
            case bool b:
                return [b ? "true" : "false"];
            case string { Length: 0 }:
                return ["empty", "none", "required"];
            case string s:
                return [s];
            case Enum e:
                return [e.ToString()];
            case TimeSpan t:
                var times = new List<string> { t.ToString("c", invariant) };
                foreach (var (amount, unit) in new[] { (t.TotalHours, "h"), (t.TotalMinutes, "min"), (t.TotalSeconds, "s"), (t.TotalMilliseconds, "ms") })
                {
                    if (amount >= 1 && amount % 1 == 0)
                    {
                        times.Add(string.Create(invariant, $"{amount} {unit}"));
                    }
                }

                return times;
            case int or long:
                var n = Convert.ToInt64(value, invariant);
                var numbers = new List<string> { n.ToString(invariant), n.ToString("N0", invariant), n.ToString("N0", invariant).Replace(',', ' ') };
                foreach (var (unit, size) in new[] { ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30) })
                {
                    if (n >= size && n % size == 0)
                    {
                        numbers.Add(string.Create(invariant, $"{n / size} {unit}"));
                    }
                }

                return numbers;
            case double d:
                return [d.ToString("R", invariant)];
            case Uri u:
                return [u.ToString()];
            case IEnumerable items when !items.Cast<object>().Any():
                return ["empty", "none"];
            default:
                return null;
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        IEnumerable items and not string when !items.Cast<object>().Any() => "empty",
        string s => $"\"{s}\"",
        _ => Spellings(value)?[0] ?? value.GetType().Name,
    };

    private static string Leaf(string key) => key[(key.LastIndexOf(':') + 1)..];

    private static string Scope(string key) => key[..key.LastIndexOf(':')];

    [GeneratedRegex(@":?\.\.\.$")]
    private static partial Regex ScopeSuffix();
}

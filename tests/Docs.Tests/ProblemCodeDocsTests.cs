using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Docs.Tests.Infrastructure;
using Microservice.Kit.Problems;

namespace Docs.Tests;

/// <summary>
/// Every problem <c>code</c> the kit can send is in a docs table with a <c>code</c> column, and every code such a
/// table (or an <c>errors</c> column) names is one the kit can send.
/// </summary>
public sealed partial class ProblemCodeDocsTests
{
    [Fact]
    public void ProblemCodes_KitAndDocs_ListTheSameCodes()
    {
        var kit = KitCodes();
        var documented = DocumentedCodes();
        var failures = new List<string>();

        foreach (var (code, source) in kit.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (!documented.Any(d => d.Code == code && d.InCodeColumn))
            {
                failures.Add($"Code `{code}` ({source}) is sent by the kit but no docs table lists it in a `code` column: add a row " +
                    $"| status | `{code}` | when | to docs/problems.md (or the errors table of the feature's page).");
            }
        }

        foreach (var (code, where, _) in documented.Where(d => !kit.ContainsKey(d.Code)))
        {
            failures.Add($"{where} documents code `{code}`, which the kit never sends: fix the name or remove the row " +
                "(a code your own service defines goes in prose, not in a `code` column).");
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    /// <summary>
    /// The codes the kit can send: constants of the <c>*ProblemCodes</c> classes, any public constant documented as a
    /// problem code (<c>&lt;summary&gt;409: ...</c>) or named <c>*Code</c>, what <see cref="ProblemCodes.ForStatus"/>
    /// gives for each 4xx and 5xx status, and codes written as literals next to a status in src/.
    /// </summary>
    private static Dictionary<string, string> KitCodes()
    {
        var codes = new Dictionary<string, string>(StringComparer.Ordinal);
        var assembly = typeof(ProblemCodes).Assembly;
        var summaries = Summaries(assembly);
        foreach (var type in assembly.GetExportedTypes())
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)))
            {
                var value = (string)field.GetRawConstantValue()!;
                var summary = summaries.GetValueOrDefault($"F:{type.FullName}.{field.Name}", "");
                var isCode = (type.Name.EndsWith("ProblemCodes", StringComparison.Ordinal) || StatusSummary().IsMatch(summary) || field.Name.EndsWith("Code", StringComparison.Ordinal))
                    && CodeShape().IsMatch(value);
                if (isCode)
                {
                    codes.TryAdd(value, $"{type.Name}.{field.Name}");
                }
            }
        }

        for (var status = 400; status <= 599; status++)
        {
            if (ProblemCodes.ForStatus(status) is { } code)
            {
                codes.TryAdd(code, $"ProblemCodes.ForStatus({status})");
            }
        }

        var src = Path.Combine(DocPages.RepositoryRoot, "src");
        foreach (var file in Directory.GetFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            foreach (Match match in LiteralCode().Matches(File.ReadAllText(file)))
            {
                codes.TryAdd(match.Groups["code"].Value, $"a literal in {Path.GetRelativePath(DocPages.RepositoryRoot, file)}");
            }
        }

        return codes;
    }

    private static List<(string Code, string Where, bool InCodeColumn)> DocumentedCodes()
    {
        var codes = new List<(string, string, bool)>();
        foreach (var table in DocPages.Tables)
        {
            var codeColumn = table.ColumnOf(h => h == "code");
            var errorsColumn = table.ColumnOf(h => h == "errors");
            foreach (var row in table.Rows)
            {
                foreach (var (column, inCodeColumn) in new[] { (codeColumn, true), (errorsColumn, false) })
                {
                    foreach (var span in DocPages.CodeSpans(row.Cell(column)).Where(s => CodeShape().IsMatch(s)))
                    {
                        codes.Add((span, $"{table.Path}:{row.Line}", inCodeColumn));
                    }
                }
            }
        }

        return codes;
    }

    private static Dictionary<string, string> Summaries(Assembly assembly)
    {
        var xml = Path.ChangeExtension(assembly.Location, ".xml");
        Assert.True(File.Exists(xml), $"{xml} is missing: the kit's XML documentation tells which constants are problem codes.");
        return XDocument.Load(xml).Descendants("member")
            .Where(m => m.Attribute("name") is not null)
            .ToDictionary(m => m.Attribute("name")!.Value, m => string.Concat(m.Element("summary")?.Nodes().Select(n => n.ToString()) ?? []).Trim(), StringComparer.Ordinal);
    }

    [GeneratedRegex(@"^[1-5]\d\d:")]
    private static partial Regex StatusSummary();

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*$")]
    private static partial Regex CodeShape();

    // new KitException(418, "Teapot", ...), : base(409, "Conflict", ...), ProblemFactory.Create(400, "X", ...)
    [GeneratedRegex(@"(?:KitException|base|Create)\(\s*[45]\d\d\s*,\s*""(?<code>[A-Z][A-Za-z0-9]*)""")]
    private static partial Regex LiteralCode();
}

using System.Text;
using System.Text.RegularExpressions;

namespace Docs.Tests.Infrastructure;

/// <summary>README.md and docs/*.md, read once, with their fenced blocks and tables.</summary>
internal static partial class DocPages
{
    private static readonly Lazy<IReadOnlyList<DocPage>> Pages = new(Load);

    public static string RepositoryRoot { get; } = FindRoot();

    public static IReadOnlyList<DocPage> All => Pages.Value;

    public static IEnumerable<FencedBlock> Blocks => All.SelectMany(p => p.Blocks);

    public static IEnumerable<DocTable> Tables => All.SelectMany(p => p.Tables);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Kit.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Kit.sln not found above {AppContext.BaseDirectory}.");
    }

    private static List<DocPage> Load()
    {
        var files = new List<string> { Path.Combine(RepositoryRoot, "README.md") };
        files.AddRange(Directory.GetFiles(Path.Combine(RepositoryRoot, "docs"), "*.md").Order(StringComparer.Ordinal));
        return files.Select(file => DocPage.Parse(
            Path.GetRelativePath(RepositoryRoot, file).Replace('\\', '/'),
            File.ReadAllLines(file))).ToList();
    }

    /// <summary>The texts of the backticked spans of a markdown cell or heading, in order.</summary>
    public static IEnumerable<string> CodeSpans(string text) =>
        CodeSpanPattern().Matches(text).Select(m => m.Groups[1].Value);

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpanPattern();
}

/// <summary>One markdown page.</summary>
internal sealed record DocPage(string Path, IReadOnlyList<string> Lines, IReadOnlyList<FencedBlock> Blocks, IReadOnlyList<DocTable> Tables)
{
    public static DocPage Parse(string path, string[] lines)
    {
        var blocks = new List<FencedBlock>();
        var tables = new List<DocTable>();
        var heading = "";
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var fence = FenceOf(line);
            if (fence is not null)
            {
                // A closing fence is at least as long as the opening one, so a ```` block can show ``` lines.
                var info = line.TrimStart()[fence.Length..].Trim();
                var body = new StringBuilder();
                var start = i;
                for (i++; i < lines.Length; i++)
                {
                    var inner = lines[i].TrimStart();
                    if (inner.StartsWith(fence, StringComparison.Ordinal) && inner.TrimEnd().Trim('`').Length == 0)
                    {
                        break;
                    }

                    body.Append(lines[i]).Append('\n');
                }

                blocks.Add(new FencedBlock(path, start + 1, info, body.ToString(), ContextBefore(lines, start, path)));
                continue;
            }

            if (line.StartsWith('#'))
            {
                heading = line.TrimStart('#').Trim();
                continue;
            }

            if (line.StartsWith('|') && i + 1 < lines.Length && IsSeparator(lines[i + 1]))
            {
                var header = DocTable.SplitRow(line);
                var rows = new List<DocTableRow>();
                var headerLine = i + 1;
                for (i += 2; i < lines.Length && lines[i].StartsWith('|'); i++)
                {
                    rows.Add(new DocTableRow(i + 1, DocTable.SplitRow(lines[i])));
                }

                i--;
                tables.Add(new DocTable(path, headerLine, heading, header, rows));
            }
        }

        return new DocPage(path, lines, blocks, tables);
    }

    private static string? FenceOf(string line)
    {
        var trimmed = line.TrimStart();
        if (line.Length - trimmed.Length > 3 || !trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            return null;
        }

        var length = 0;
        while (length < trimmed.Length && trimmed[length] == '`')
        {
            length++;
        }

        return new string('`', length);
    }

    private static bool IsSeparator(string line) =>
        line.StartsWith('|') && line.Trim().Trim('|').Split('|').All(cell => cell.Trim().Trim(':').Length > 0 && cell.Trim().Trim(':').All(c => c == '-'));

    // A `<!-- snippet-context ... -->` comment right before a fence (blank lines allowed between them).
    private static SnippetContext? ContextBefore(string[] lines, int fenceIndex, string path)
    {
        var end = fenceIndex - 1;
        while (end >= 0 && lines[end].Trim().Length == 0)
        {
            end--;
        }

        if (end < 0 || lines[end].Trim() != "-->")
        {
            return null;
        }

        var start = end - 1;
        while (start >= 0 && !lines[start].TrimStart().StartsWith("<!--", StringComparison.Ordinal))
        {
            start--;
        }

        if (start < 0 || lines[start].Trim() != "<!-- snippet-context")
        {
            return null;
        }

        var code = string.Join('\n', lines[(start + 1)..end]) + "\n";
        return new SnippetContext(path, start + 2, code);
    }
}

/// <summary>A fenced code block; <see cref="Line"/> is the 1-based line of its opening fence.</summary>
internal sealed record FencedBlock(string Path, int Line, string Info, string Code, SnippetContext? Context)
{
    public string Language => Info.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries) is [var first, ..] ? first : "";

    public override string ToString() => $"{Path}:{Line}";
}

/// <summary>The hidden declarations a snippet uses; <see cref="FirstLine"/> is the 1-based line of the code's first line.</summary>
internal sealed record SnippetContext(string Path, int FirstLine, string Code);

/// <summary>A markdown table; <see cref="Heading"/> is the heading it sits under.</summary>
internal sealed record DocTable(string Path, int Line, string Heading, IReadOnlyList<string> Header, IReadOnlyList<DocTableRow> Rows)
{
    public int ColumnOf(Func<string, bool> isColumn)
    {
        for (var i = 0; i < Header.Count; i++)
        {
            if (isColumn(Header[i].Trim().ToLowerInvariant()))
            {
                return i;
            }
        }

        return -1;
    }

    // Splits on | outside backticks, so that a cell may show `a|b`.
    public static IReadOnlyList<string> SplitRow(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var inCode = false;
        var text = line.Trim();
        for (var i = 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '`')
            {
                inCode = !inCode;
            }

            if (c == '\\' && i + 1 < text.Length && text[i + 1] == '|')
            {
                cell.Append('|');
                i++;
                continue;
            }

            if (c == '|' && !inCode)
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
                continue;
            }

            cell.Append(c);
        }

        if (cell.ToString().Trim().Length > 0)
        {
            cells.Add(cell.ToString().Trim());
        }

        return cells;
    }
}

/// <summary>A table row; <see cref="Line"/> is its 1-based line.</summary>
internal sealed record DocTableRow(int Line, IReadOnlyList<string> Cells)
{
    public string Cell(int column) => column >= 0 && column < Cells.Count ? Cells[column] : "";
}

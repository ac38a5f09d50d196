using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using Docs.Tests.Infrastructure;
using Microservice.Kit.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Docs.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md and docs/*.md compiles against the kit, wrapped as
/// docs/contributing-docs.md describes; errors point at the page and line of the block.
/// </summary>
public sealed class SnippetCompilationTests
{
    private const string NoCompile = "nocompile";

    // The Web SDK's implicit usings; the kit's own namespaces are added from the assembly.
    private static readonly string[] ImplicitUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Net.Http.Json",
        "System.Threading", "System.Threading.Tasks", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration",
        "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
    ];

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    public static TheoryData<string> CSharpBlocks()
    {
        var data = new TheoryData<string>();
        foreach (var block in DocPages.Blocks.Where(b => b.Language == "csharp"))
        {
            data.Add(block.ToString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CSharpBlocks))]
    public void CSharpBlock_CompilesAgainstTheKit(string block)
    {
        var snippet = DocPages.Blocks.Single(b => b.ToString() == block);
        var words = snippet.Info.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length > 1 && words[1].TrimEnd(':') == NoCompile)
        {
            Assert.True(
                words.Length > 2,
                $"{block}: a '```csharp {NoCompile}' block must say why next to it ('```csharp {NoCompile}: a listing of IFileStore's members').");
            return;
        }

        var source = Wrap(snippet, out var isProgram);
        var compilation = CSharpCompilation.Create(
            "Snippet_" + snippet.Line,
            [CSharpSyntaxTree.ParseText(GlobalUsings(), ParseOptions, "GlobalUsings.cs"), CSharpSyntaxTree.ParseText(source, ParseOptions, snippet.Path)],
            References.Value,
            new CSharpCompilationOptions(isProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var errors = compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.ToString())
            .ToList();

        Assert.True(
            errors.Count == 0,
            $"The C# block at {block} does not compile against the kit (fix the block, declare what it assumes in a " +
            $"'<!-- snippet-context' comment before it, or mark it '```csharp {NoCompile}: <why>'; see docs/contributing-docs.md):\n" +
            string.Join('\n', errors) + "\n--- compiled as ---\n" + source);
    }

    /// <summary>
    /// Usings go first; then the context's statements and the block's statements, as a top-level program; then the
    /// context's and the block's type declarations. Each piece carries a <c>#line</c> back to its page.
    /// </summary>
    private static string Wrap(FencedBlock block, out bool isProgram)
    {
        var usings = new StringBuilder();
        var statements = new StringBuilder();
        var types = new StringBuilder();
        if (block.Context is { } context)
        {
            Split(context.Code, context.Path, context.FirstLine, usings, statements, types);
        }

        Split(block.Code, block.Path, block.Line + 1, usings, statements, types);
        isProgram = statements.Length > 0;
        return usings.Append(statements).Append(types).ToString();
    }

    private static void Split(string code, string path, int firstLine, StringBuilder usings, StringBuilder statements, StringBuilder types)
    {
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(code, ParseOptions).GetRoot();
        void Append(StringBuilder target, SyntaxNode node)
        {
            var line = node.GetLocation().GetLineSpan().StartLinePosition.Line + firstLine;
            target.Append("#line ").Append(line).Append(" \"").Append(path).Append("\"\n").Append(node.ToString()).Append('\n');
        }

        foreach (var directive in root.Usings)
        {
            Append(usings, directive);
        }

        foreach (var member in root.Members)
        {
            Append(member is GlobalStatementSyntax ? statements : types, member);
        }
    }

    // The core and the provider packages a page may show.
    private static readonly Assembly[] KitAssemblies =
        [typeof(ProblemCodes).Assembly, typeof(Microservice.Kit.PostgreSql.PostgreSqlOptions).Assembly, typeof(Microservice.Kit.S3.Files.S3FileStoreOptions).Assembly];

    private static string GlobalUsings()
    {
        var kitNamespaces = KitAssemblies.SelectMany(a => a.GetExportedTypes())
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(n => n.StartsWith("Microservice.Kit", StringComparison.Ordinal));
        return string.Concat(ImplicitUsings.Concat(kitNamespaces).Distinct().Order(StringComparer.Ordinal).Select(n => $"global using {n};\n"));
    }

    // The .NET and ASP.NET Core shared frameworks the tests run on, then the kit and the packages it references.
    private static List<MetadataReference> LoadReferences()
    {
        var files = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var directory in new[] { typeof(object).Assembly.Location, typeof(WebApplication).Assembly.Location }.Select(Path.GetDirectoryName))
        {
            foreach (var file in Directory.GetFiles(directory!, "*.dll").Where(HasMetadata))
            {
                files.TryAdd(Path.GetFileNameWithoutExtension(file), file);
            }
        }

        var pending = new Stack<Assembly>(KitAssemblies);
        while (pending.TryPop(out var assembly))
        {
            if (!files.TryAdd(assembly.GetName().Name!, assembly.Location))
            {
                continue;
            }

            foreach (var name in assembly.GetReferencedAssemblies().Where(n => !files.ContainsKey(n.Name!)))
            {
                pending.Push(Assembly.Load(name));
            }
        }

        return files.Values.Select(file => (MetadataReference)MetadataReference.CreateFromFile(file)).ToList();
    }

    private static bool HasMetadata(string file)
    {
        using var stream = File.OpenRead(file);
        using var reader = new PEReader(stream);
        return reader.HasMetadata && reader.GetMetadataReader().IsAssembly;
    }
}

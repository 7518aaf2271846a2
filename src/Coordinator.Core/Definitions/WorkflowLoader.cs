using Coordinator.Core.Definitions.Parsing;

namespace Coordinator.Core.Definitions;

/// <summary>
/// Loads one workflow definition (YAML, or JSON for <c>.json</c> files) and checks it completely:
/// syntax, structure and meaning. Never throws on bad input: every problem is a
/// <see cref="Diagnostic"/>, and as many problems as possible are reported in one pass.
/// </summary>
public static class WorkflowLoader
{
    public static LoadResult LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ReadFile(path, "the workflow definition", out var text) is { } unreadable
            ? new LoadResult(null, [unreadable])
            : LoadText(text, path);
    }

    /// <summary>Reads a file of the language; the WF0002 diagnostic (naming <paramref name="what"/>) when it cannot be read.</summary>
    public static Diagnostic? ReadFile(string path, string what, out string text)
    {
        text = "";
        try
        {
            text = File.ReadAllText(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException or System.Security.SecurityException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "the file does not exist" : e.Message;
            return new Diagnostic(DiagnosticSeverity.Error, DiagnosticCodes.FileUnreadable, $"cannot read {what}: {reason}", new SourceLocation(path, 0, 0));
        }
    }

    /// <summary>Loads definition text; <paramref name="fileName"/> names it in diagnostics and picks the format (<c>.json</c> = JSON, else YAML).</summary>
    public static LoadResult LoadText(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        var diagnostics = new DiagnosticBag();
        text = text.TrimStart('\uFEFF');
        var root = IsJson(fileName)
            ? JsonSyntaxReader.Read(text, fileName, diagnostics)
            : YamlSyntaxReader.Read(text, fileName, diagnostics);

        WorkflowDefinition? definition = null;
        if (root is not null)
        {
            var reader = new DefinitionReader(fileName, diagnostics);
            definition = reader.Read(root);
            if (definition is not null)
            {
                definition = definition with { Source = reader.SourceMap };
                diagnostics.AddRange(WorkflowValidator.Validate(definition));
            }
        }

        var sorted = diagnostics.Items.OrderBy(d => d.Location.Line).ThenBy(d => d.Location.Column).ToList();
        if (definition is null || diagnostics.HasErrors)
            return new LoadResult(null, sorted);
        return new LoadResult(definition with { ContentHash = DefinitionJson.Hash(definition) }, sorted);
    }

    internal static bool IsJson(string fileName) => fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
}

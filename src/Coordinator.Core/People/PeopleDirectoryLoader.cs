using Coordinator.Core.Definitions;
using Coordinator.Core.Definitions.Parsing;

namespace Coordinator.Core.People;

/// <summary>The outcome of loading the people directory: the directory when it has no errors, and every diagnostic found.</summary>
public sealed record DirectoryLoadResult(PersonDirectory? Directory, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Succeeded => Directory is not null && !Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// Loads the people directory (<c>people.yaml</c>, or JSON for <c>.json</c>) and checks it completely, with
/// the diagnostics of the workflow language (WF00xx–WF01xx for its structure, WF04xx for its meaning).
/// Never throws on bad input.
/// </summary>
public static class PeopleDirectoryLoader
{
    public const string SchemaV1 = "coordinator/people-v1";

    /// <summary>The file names a definitions folder's directory goes by (the catalog does not read them as definitions).</summary>
    public static IReadOnlyList<string> FileNames { get; } = ["people.yaml", "people.yml", "people.json"];

    public static bool IsDirectoryFile(string path) =>
        FileNames.Contains(Path.GetFileName(path), StringComparer.OrdinalIgnoreCase);

    public static DirectoryLoadResult LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return WorkflowLoader.ReadFile(path, "the people directory", out var text) is { } unreadable
            ? new DirectoryLoadResult(null, [unreadable])
            : LoadText(text, path);
    }

    /// <summary>Loads directory text; <paramref name="fileName"/> names it in diagnostics and picks the format (<c>.json</c> = JSON, else YAML).</summary>
    public static DirectoryLoadResult LoadText(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        var diagnostics = new DiagnosticBag();
        text = text.TrimStart('\uFEFF');
        var root = WorkflowLoader.IsJson(fileName)
            ? JsonSyntaxReader.Read(text, fileName, diagnostics)
            : YamlSyntaxReader.Read(text, fileName, diagnostics);
        List<Person>? people = null;
        SourceMap? source = null;
        if (root is not null)
        {
            var reader = new DirectoryReader(fileName, diagnostics);
            people = reader.Read(root);
            source = reader.SourceMap;
        }
        var sorted = diagnostics.Items.OrderBy(d => d.Location.Line).ThenBy(d => d.Location.Column).ToList();
        return people is null || diagnostics.HasErrors
            ? new DirectoryLoadResult(null, sorted)
            : new DirectoryLoadResult(new PersonDirectory(people, source), sorted);
    }
}

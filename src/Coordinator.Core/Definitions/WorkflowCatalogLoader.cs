namespace Coordinator.Core.Definitions;

/// <summary>
/// Loads every definition under a set of files and folders and checks them together: besides each
/// file's own diagnostics, the same (id, version) published twice with different content is an
/// error, since a version is immutable once instances run on it.
/// </summary>
public static class WorkflowCatalogLoader
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>Folders below a definitions folder that hold other things than definitions.</summary>
    private static readonly string[] SkippedFolders = ["schema", "scenarios"];

    /// <param name="paths">Definition files, or folders searched recursively for *.yaml, *.yml and *.json
    /// (skipping schema/, scenarios/ and hidden folders).</param>
    public static CatalogLoadResult Load(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var diagnostics = new List<Diagnostic>();
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
                files.Add(path);
            else if (Directory.Exists(path))
                files.AddRange(Enumerate(path, diagnostics));
            else
                diagnostics.Add(new Diagnostic(DiagnosticSeverity.Error, DiagnosticCodes.FileUnreadable,
                    "no such file or folder; pass workflow definition files or folders that contain them.", new SourceLocation(path, 0, 0)));
        }
        files = [.. files.Distinct(StringComparer.Ordinal)];

        var definitions = new List<WorkflowDefinition>();
        foreach (var file in files)
        {
            var result = WorkflowLoader.LoadFile(file);
            diagnostics.AddRange(result.Diagnostics);
            if (result.Succeeded)
                definitions.Add(result.Definition!);
        }
        diagnostics.AddRange(CheckVersions(definitions));
        return new CatalogLoadResult(definitions, diagnostics, files);
    }

    private static List<string> Enumerate(string folder, List<Diagnostic> diagnostics)
    {
        var found = new List<string>();
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                if (Extensions.Any(e => file.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                    found.Add(file);
            }
            foreach (var sub in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(sub);
                if (!name.StartsWith('.') && !SkippedFolders.Contains(name, StringComparer.OrdinalIgnoreCase))
                    found.AddRange(Enumerate(sub, diagnostics));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(new Diagnostic(DiagnosticSeverity.Error, DiagnosticCodes.FileUnreadable, $"cannot list the folder: {e.Message}", new SourceLocation(folder, 0, 0)));
        }
        return found;
    }

    private static IEnumerable<Diagnostic> CheckVersions(List<WorkflowDefinition> definitions)
    {
        foreach (var group in definitions.GroupBy(d => (d.Id, d.Version)))
        {
            var first = group.First();
            foreach (var other in group.Skip(1))
            {
                var location = other.Source?.Find("version") ?? new SourceLocation("<definition>", 0, 0);
                var firstFile = first.Source?.File ?? "another definition";
                if (other.ContentHash == first.ContentHash)
                {
                    yield return new Diagnostic(DiagnosticSeverity.Warning, DiagnosticCodes.DuplicateDefinition,
                        $"workflow '{other.Id}' version {other.Version} is also defined, identically, in {firstFile}; keep one copy.", location);
                }
                else
                {
                    yield return new Diagnostic(DiagnosticSeverity.Error, DiagnosticCodes.ConflictingVersion,
                        $"workflow '{other.Id}' version {other.Version} is also defined in {firstFile} with different content; a published version is immutable, so give this one a new version number.", location);
                }
            }
        }
    }
}

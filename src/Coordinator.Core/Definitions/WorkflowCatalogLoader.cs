using Coordinator.Core.People;

namespace Coordinator.Core.Definitions;

/// <summary>
/// Loads every definition under a set of files and folders and checks them together: besides each
/// file's own diagnostics, the same (id, version) published twice with different content is an
/// error, since a version is immutable once instances run on it. The people directory
/// (<c>people.yaml</c> at the root of a definitions folder, or the file given) is loaded with them,
/// and when there is one, every person a definition names must be in it.
/// </summary>
public static class WorkflowCatalogLoader
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>Folders below a definitions folder that hold other things than definitions.</summary>
    private static readonly string[] SkippedFolders = ["schema", "scenarios"];

    /// <param name="paths">Definition files, or folders searched recursively for *.yaml, *.yml and *.json
    /// (skipping schema/, scenarios/ and hidden folders, and the people directory's file names).</param>
    /// <param name="directoryFile">The people directory; null: <c>people.yaml</c> (<c>.yml</c>, <c>.json</c>) at the root
    /// of the first folder that has one, or a path of that name given among <paramref name="paths"/>.</param>
    public static CatalogLoadResult Load(IEnumerable<string> paths, string? directoryFile = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var diagnostics = new List<Diagnostic>();
        var files = new List<string>();
        var foundDirectory = directoryFile;
        foreach (var path in paths)
        {
            if (File.Exists(path) && PeopleDirectoryLoader.IsDirectoryFile(path))
                foundDirectory ??= path;
            else if (File.Exists(path))
                files.Add(path);
            else if (Directory.Exists(path))
            {
                files.AddRange(Enumerate(path, diagnostics));
                foundDirectory ??= PeopleDirectoryLoader.FileNames.Select(n => Path.Combine(path, n)).FirstOrDefault(File.Exists);
            }
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

        var directory = PersonDirectory.None;
        if (foundDirectory is not null)
        {
            var loaded = PeopleDirectoryLoader.LoadFile(foundDirectory);
            diagnostics.AddRange(loaded.Diagnostics);
            if (loaded.Succeeded)
            {
                directory = loaded.Directory!;
                diagnostics.AddRange(CheckPeople(definitions, directory, foundDirectory));
                diagnostics.AddRange(CheckHubSpotOwners(definitions, directory, foundDirectory));
            }
        }
        return new CatalogLoadResult(definitions, diagnostics, files) { Directory = directory, DirectoryFile = foundDirectory };
    }

    /// <summary>With a directory, the fixed people of every role are in it (people from the start context may not be: they get the inbox).</summary>
    private static IEnumerable<Diagnostic> CheckPeople(List<WorkflowDefinition> definitions, PersonDirectory directory, string directoryFile)
    {
        foreach (var definition in definitions)
        {
            foreach (var role in definition.Roles)
            {
                for (var i = 0; i < role.People.Count; i++)
                {
                    var person = role.People[i];
                    if (directory.Find(person) is not null)
                        continue;
                    var known = directory.People.Select(p => p.Id);
                    yield return new Diagnostic(DiagnosticSeverity.Error, DiagnosticCodes.PersonNotInDirectory,
                        $"person '{person}' of role '{role.Id}' is not in the people directory {directoryFile}.{Parsing.Suggestions.DidYouMean(person, known)} Add them there (their name and channel), or correct the id.",
                        definition.Source?.Find($"roles.{role.Id}.people[{i}]") ?? new SourceLocation("<definition>", 0, 0));
                }
            }
        }
    }

    /// <summary>With a directory, a start-context field mapped from a HubSpot owner (<c>person: true</c>) needs people with <c>hubspot_owner</c> handles to map to.</summary>
    private static IEnumerable<Diagnostic> CheckHubSpotOwners(List<WorkflowDefinition> definitions, PersonDirectory directory, string directoryFile)
    {
        if (directory.People.Any(static p => p.HubSpotOwner is not null))
            yield break;
        foreach (var definition in definitions)
        {
            foreach (var field in definition.Start?.HubSpot?.Context ?? [])
            {
                if (!field.Person)
                    continue;
                yield return new Diagnostic(DiagnosticSeverity.Error, DiagnosticCodes.NoHubSpotOwners,
                    $"start-context field '{field.Field}' maps a HubSpot owner id to a person, but nobody in the people directory {directoryFile} has a 'hubspot_owner', so every start from HubSpot would be refused; give the people who own deals their owner id ('hubspot_owner: \"12345\"').",
                    definition.Source?.Find($"start.hubspot.context.{field.Field}") ?? new SourceLocation("<definition>", 0, 0));
            }
        }
    }

    private static List<string> Enumerate(string folder, List<Diagnostic> diagnostics)
    {
        var found = new List<string>();
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                if (Extensions.Any(e => file.EndsWith(e, StringComparison.OrdinalIgnoreCase)) && !PeopleDirectoryLoader.IsDirectoryFile(file))
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

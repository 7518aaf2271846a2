using Coordinator.Core.Definitions;
using Coordinator.Core.People;

namespace Coordinator.Channels.Rendering;

/// <summary>The outcome of loading the message templates: the set (built-in wording where none is given) and every problem found.</summary>
public sealed record TemplateLoadResult(TemplateSet Templates, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Succeeded => !Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// Loads the process owners' own wording: <c>templates/&lt;workflow&gt;/&lt;kind&gt;.&lt;language&gt;.md</c> under a
/// definitions folder, such as <c>workflow-definitions/templates/b2b-onboarding/reminder.it.md</c>. Checked like the
/// definitions (WF05xx, with file, line and column): the kind, the language, the workflow, and every placeholder.
/// Never throws on bad input.
/// </summary>
public static class TemplateLoader
{
    public const string FolderName = "templates";

    /// <summary>The templates under the <c>templates</c> folder of each of <paramref name="definitionFolders"/> (none: the built-in set).</summary>
    public static TemplateLoadResult Load(IEnumerable<string> definitionFolders, IReadOnlyCollection<string> workflowIds)
    {
        ArgumentNullException.ThrowIfNull(definitionFolders);
        ArgumentNullException.ThrowIfNull(workflowIds);
        var diagnostics = new List<Diagnostic>();
        var templates = new Dictionary<(string, MessageKind, string), MessageTemplate>();
        foreach (var root in definitionFolders.Where(Directory.Exists).Select(f => Path.Combine(f, FolderName)).Where(Directory.Exists))
        {
            foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
            {
                var workflow = Path.GetFileName(folder);
                foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
                    LoadFile(file, workflow, workflowIds, templates, diagnostics);
            }
            foreach (var stray in Directory.EnumerateFiles(root).Order(StringComparer.Ordinal))
            {
                diagnostics.Add(Error(DiagnosticCodes.TemplateForUnknownWorkflow, stray, 1, 1,
                    $"a template belongs in the folder of its workflow: move it to {FolderName}/<workflow id>/{Path.GetFileName(stray)}."));
            }
        }
        return new TemplateLoadResult(new TemplateSet(templates), diagnostics);
    }

    private static void LoadFile(string file, string workflow, IReadOnlyCollection<string> workflowIds,
        Dictionary<(string, MessageKind, string), MessageTemplate> templates, List<Diagnostic> diagnostics)
    {
        var name = Path.GetFileName(file);
        var parts = name.Split('.');
        if (parts.Length != 3 || parts[2] != "md")
        {
            diagnostics.Add(Error(DiagnosticCodes.UnknownTemplateKind, file, 1, 1,
                $"'{name}' is not named <kind>.<language>.md, such as reminder.it.md; the kinds are {string.Join(", ", MessageKinds.All.Select(k => k.FileName()))}."));
            return;
        }
        var problems = 0;
        if (!workflowIds.Contains(workflow))
        {
            diagnostics.Add(Error(DiagnosticCodes.TemplateForUnknownWorkflow, file, 1, 1,
                $"the folder '{workflow}' names no loaded workflow; the workflows are {string.Join(", ", workflowIds.Order(StringComparer.Ordinal))}."));
            problems++;
        }
        if (!MessageKinds.TryParse(parts[0], out var kind))
        {
            diagnostics.Add(Error(DiagnosticCodes.UnknownTemplateKind, file, 1, 1,
                $"'{parts[0]}' is not a kind of message; the kinds are {string.Join(", ", MessageKinds.All.Select(k => k.FileName()))}."));
            problems++;
        }
        if (!PersonLanguages.All.Contains(parts[1]))
        {
            diagnostics.Add(Error(DiagnosticCodes.UnknownTemplateLanguage, file, 1, 1,
                $"'{parts[1]}' is not a language messages are written in; write {string.Join(" or ", PersonLanguages.All)}."));
            problems++;
        }
        if (WorkflowLoader.ReadFile(file, "the message template", out var text) is { } unreadable)
        {
            diagnostics.Add(unreadable);
            return;
        }
        var template = MessageTemplate.Parse(text.TrimStart('\uFEFF'), out var errors);
        foreach (var error in errors)
            diagnostics.Add(Error(DiagnosticCodes.TemplateText, file, error.Line, error.Column, error.Message));
        if (template is not null && problems == 0)
            templates[(workflow, kind, parts[1])] = template;
    }

    private static Diagnostic Error(string code, string file, int line, int column, string message) =>
        new(DiagnosticSeverity.Error, code, message, new SourceLocation(file, line, column));
}

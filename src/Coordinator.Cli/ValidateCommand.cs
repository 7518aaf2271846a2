using System.CommandLine;
using Coordinator.Core.Definitions;

namespace Coordinator.Cli;

/// <summary>
/// <c>coordinator validate [PATH...] [--directory FILE]</c>: loads every workflow definition and the
/// people directory and prints every problem in the MSBuild canonical format
/// (<c>path(line,col): error WF0000: message</c>), then a summary line. Exit code 0 when there are no
/// errors (warnings allowed), 1 otherwise.
/// </summary>
public static class ValidateCommand
{
    public const string DefaultPath = "workflow-definitions";

    public static Command Create()
    {
        var paths = new Argument<string[]>("path")
        {
            Description = $"Definition files (*.yaml, *.yml, *.json) or folders that contain them. Default: {DefaultPath}/",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var directory = new Option<string?>("--directory")
        {
            Description = "The people directory (default: people.yaml at the root of the first folder given, or a file of that name among the paths). See docs/people-directory.md.",
        };
        var command = new Command("validate", "Check workflow definitions and the people directory, and report every problem with its file, line and column.");
        command.Arguments.Add(paths);
        command.Options.Add(directory);
        command.SetAction(parseResult => Run(parseResult.GetValue(paths) ?? [], parseResult.InvocationConfiguration.Output, parseResult.GetValue(directory)));
        return command;
    }

    /// <summary>Validates the paths (the default folder when none) and writes the report; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> paths, TextWriter output, string? directoryFile = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(output);
        var folders = paths.Count > 0 ? paths : [DefaultPath];
        var result = WorkflowCatalogLoader.Load(folders, directoryFile);
        // The process owners' wording of messages, under each folder's templates/ (checked against the workflows found).
        var templates = Coordinator.Channels.Rendering.TemplateLoader.Load(folders, [.. result.Definitions.Select(d => d.Id).Distinct(StringComparer.Ordinal)]);
        foreach (var diagnostic in result.Diagnostics.Concat(templates.Diagnostics))
            output.WriteLine(diagnostic.ToString());
        output.WriteLine(Summary(result, templates));
        return result.Succeeded && templates.Succeeded ? 0 : 1;
    }

    internal static string Summary(CatalogLoadResult result, Coordinator.Channels.Rendering.TemplateLoadResult? templates = null)
    {
        var templateErrors = templates?.Diagnostics.Count(d => d.IsError) ?? 0;
        var templateCount = templates?.Templates.OverrideCount ?? 0;
        var wording = templateCount + templateErrors == 0 ? "" : $", {Count(templateCount, "message template")}";
        var files = result.Files.Count;
        var directory = result.DirectoryFile is null ? ""
            : result.Directory.IsConfigured ? $" and the people directory ({Count(result.Directory.People.Count, "person", "people")})"
            : " and the people directory";
        return $"{Count(files, "definition")}{wording}{directory} checked: {Count(result.ErrorCount + templateErrors, "error")}, {Count(result.WarningCount, "warning")}";
    }

    private static string Count(int n, string noun, string? plural = null) => $"{n} {(n == 1 ? noun : plural ?? noun + "s")}";
}

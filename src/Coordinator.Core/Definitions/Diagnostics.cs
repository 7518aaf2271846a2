namespace Coordinator.Core.Definitions;

public enum DiagnosticSeverity
{
    Error,
    Warning,
}

/// <summary>
/// One problem found in a workflow definition. <see cref="Code"/> is stable (<c>WF0101</c>, ...;
/// the table is in docs/workflow-language.md) and <see cref="Location"/> points at the offending node.
/// </summary>
public sealed record Diagnostic(DiagnosticSeverity Severity, string Code, string Message, SourceLocation Location)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>
    /// MSBuild canonical format, understood by editors and CI log parsers:
    /// <c>path(line,col): error WF0102: message</c>, or <c>path: error WF0002: message</c> when the
    /// problem has no position (for example an unreadable file).
    /// </summary>
    public override string ToString()
    {
        var origin = Location.Line > 0 ? Location.ToString() : Location.File;
        var severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return $"{origin}: {severity} {Code}: {Message}";
    }
}

/// <summary>
/// The outcome of loading one definition file: the definition when it has no errors (warnings allowed),
/// and every diagnostic found.
/// </summary>
public sealed record LoadResult(WorkflowDefinition? Definition, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Succeeded => Definition is not null && !Diagnostics.Any(d => d.IsError);
}

/// <summary>The outcome of loading a set of definition files (see <see cref="WorkflowCatalogLoader"/>).</summary>
public sealed record CatalogLoadResult(
    IReadOnlyList<WorkflowDefinition> Definitions,
    IReadOnlyList<Diagnostic> Diagnostics,
    IReadOnlyList<string> Files)
{
    /// <summary>The people directory; <see cref="People.PersonDirectory.None"/> when there is none (or it has errors).</summary>
    public People.PersonDirectory Directory { get; init; } = People.PersonDirectory.None;

    /// <summary>The directory file that was read, if any.</summary>
    public string? DirectoryFile { get; init; }

    public bool Succeeded => !Diagnostics.Any(d => d.IsError);

    public int ErrorCount => Diagnostics.Count(d => d.IsError);

    public int WarningCount => Diagnostics.Count(d => !d.IsError);
}

using System.Collections.Frozen;
using Coordinator.Core.Definitions;
using Coordinator.Core.People;

namespace Coordinator.Application;

/// <summary>
/// The workflow definitions a host serves and the people directory, validated at start-up. New
/// instances start on the latest version of a workflow; running instances carry their own pinned snapshot.
/// </summary>
public sealed class WorkflowRegistry : Coordinator.Core.Ports.IServedWorkflows
{
    private readonly FrozenDictionary<string, WorkflowDefinition> _latest;

    public WorkflowRegistry(IEnumerable<WorkflowDefinition> definitions, PersonDirectory? people = null)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        People = people ?? PersonDirectory.None;
        All = definitions.OrderBy(d => d.Id, StringComparer.Ordinal).ThenBy(d => d.Version).ToArray();
        _latest = All.GroupBy(d => d.Id, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.MaxBy(d => d.Version)!, StringComparer.Ordinal);
    }

    /// <summary>The definition folders the registry was loaded from (their <c>templates</c> folders hold the process owners' wording of messages).</summary>
    public IReadOnlyList<string> Folders { get; private init; } = [];

    /// <summary>The people directory (<see cref="PersonDirectory.None"/> without one: everybody is reached in the inbox).</summary>
    public PersonDirectory People { get; }

    /// <summary>Every loaded definition, by id then version.</summary>
    public IReadOnlyList<WorkflowDefinition> All { get; }

    /// <summary>The loaded definition with exactly this id, version and content hash; null when none is loaded.</summary>
    public WorkflowDefinition? Find(string workflowId, int version, string contentHash)
    {
        foreach (var definition in All)
        {
            if (definition.Id == workflowId && definition.Version == version && definition.ContentHash == contentHash)
                return definition;
        }
        return null;
    }

    /// <summary>The latest version of a workflow; null when there is none with that id.</summary>
    public WorkflowDefinition? Latest(string workflowId) => _latest.GetValueOrDefault(workflowId);

    /// <summary>The latest version of every workflow, by id.</summary>
    IReadOnlyList<WorkflowDefinition> Coordinator.Core.Ports.IServedWorkflows.Latest => [.. _latest.Values.OrderBy(static d => d.Id, StringComparer.Ordinal)];

    /// <summary>
    /// Loads and validates the definitions at <paramref name="paths"/> and the people directory (the file
    /// given, else <c>people.yaml</c> at the root of the definitions folder). Throws
    /// <see cref="DefinitionLoadException"/> with every diagnostic when any is an error.
    /// </summary>
    public static WorkflowRegistry Load(IEnumerable<string> paths, out IReadOnlyList<Diagnostic> warnings, string? directoryFile = null)
    {
        var result = WorkflowCatalogLoader.Load(paths, directoryFile);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (errors.Length > 0)
            throw new DefinitionLoadException(result.Diagnostics);
        if (result.Definitions.Count == 0)
            throw new DefinitionLoadException([], $"No workflow definitions found in {string.Join(", ", paths)}; point --definitions at a folder of *.yaml files.");
        warnings = result.Diagnostics;
        return new WorkflowRegistry(result.Definitions, result.Directory) { Folders = [.. paths.Where(Directory.Exists)] };
    }
}

/// <summary>The definitions or the people directory have errors: the host refuses to start. The message lists every diagnostic.</summary>
public sealed class DefinitionLoadException(IReadOnlyList<Diagnostic> diagnostics, string? message = null)
    : Exception(message ?? "The workflow definitions or the people directory have errors; fix them and start again:\n" + string.Join('\n', diagnostics))
{
    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics;
}

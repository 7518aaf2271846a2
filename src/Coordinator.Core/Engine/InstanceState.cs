namespace Coordinator.Core.Engine;

/// <summary>
/// The complete coordination state of one workflow instance: everything the engine needs to
/// continue, and nothing else. Immutable and JSON-serializable (System.Text.Json round-trips it),
/// so a durable orchestrator can carry it through <c>ContinueAsNew</c>.
/// </summary>
public sealed record InstanceState
{
    public required string DefinitionId { get; init; }
    public required int DefinitionVersion { get; init; }

    /// <summary>The content hash of the definition the instance is pinned to.</summary>
    public required string DefinitionHash { get; init; }

    /// <summary>The start context (owners from <c>from_context</c>, <c>when: {field, in}</c> conditions).</summary>
    public required IReadOnlyDictionary<string, string> Context { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>When the next periodic summary is due; null when the definition has no summary rule.</summary>
    public DateTimeOffset? NextSummaryAt { get; init; }

    public int SummariesSent { get; init; }

    /// <summary>How many actions the instance has produced; numbers the actions and makes their keys unique.</summary>
    public long Sequence { get; init; }

    /// <summary>One entry per step, in definition order.</summary>
    public required IReadOnlyList<StepState> Steps { get; init; }

    public bool IsCompleted => CompletedAt is not null;

    /// <summary>The state of a step by id; null when the definition has no such step.</summary>
    public StepState? FindStep(string stepId)
    {
        foreach (var step in Steps)
        {
            if (step.StepId == stepId)
                return step;
        }
        return null;
    }
}

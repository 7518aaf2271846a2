namespace Coordinator.Orchestration;

/// <summary>The output of a completed coordinator orchestration.</summary>
/// <param name="DefinitionId">The workflow the instance ran.</param>
/// <param name="DefinitionVersion">Its version.</param>
/// <param name="BusinessKey">The business identifier of the instance, if any.</param>
/// <param name="StartedAt">Workflow time of the start.</param>
/// <param name="CompletedAt">Workflow time of the completion.</param>
/// <param name="CompletedSteps">Steps finished by their owners (or by the decision), in definition order.</param>
/// <param name="SkippedSteps">Steps skipped because their condition was false, in definition order.</param>
/// <param name="ActionCount">Coordination actions performed over the life of the instance.</param>
/// <param name="EventsProcessed">Human events applied (accepted or rejected).</param>
/// <param name="EventsRejected">Human events the engine rejected.</param>
/// <param name="Turns">Engine calls.</param>
/// <param name="Generations">Orchestration executions (1 + the number of <c>ContinueAsNew</c>).</param>
public sealed record CoordinatorResult(
    string DefinitionId,
    int DefinitionVersion,
    string? BusinessKey,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt,
    IReadOnlyList<string> CompletedSteps,
    IReadOnlyList<string> SkippedSteps,
    long ActionCount,
    int EventsProcessed,
    int EventsRejected,
    int Turns,
    int Generations);

using Coordinator.Core.Engine;

namespace Coordinator.Core.Simulation;

public enum SimulationOutcome
{
    /// <summary>Every step is done or skipped.</summary>
    Completed,

    /// <summary>No scenario events are left and nothing but repeating reminders and summaries can happen without a human.</summary>
    WaitingOnHumans,

    /// <summary>The time bound (<c>--until</c>) was reached first.</summary>
    TimeLimit,
}

/// <summary>The outcome of simulating one instance.</summary>
/// <param name="Actions">Every action, in time order (empty when the run was asked not to keep them).</param>
/// <param name="State">The final instance state.</param>
/// <param name="Outcome">Why the simulation stopped.</param>
/// <param name="StartedAt">The virtual start time.</param>
/// <param name="EndedAt">The virtual time the simulation stopped at.</param>
/// <param name="Waiting">The running steps and whom they wait on when the simulation stopped.</param>
/// <param name="Counts">Actions by type.</param>
public sealed record SimulationResult(
    IReadOnlyList<CoordinationAction> Actions,
    InstanceState State,
    SimulationOutcome Outcome,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    IReadOnlyList<WaitingStep> Waiting,
    ActionCounts Counts);

/// <summary>How many actions of each type a run produced.</summary>
public sealed class ActionCounts
{
    private readonly int[] counts = new int[Enum.GetValues<CoordinationActionType>().Length];

    public int this[CoordinationActionType type] => counts[(int)type];

    public int Reminders => this[CoordinationActionType.Reminder];

    public int Escalations => this[CoordinationActionType.Escalation];

    public int Rejections => this[CoordinationActionType.EventRejected];

    internal void Add(CoordinationActionType type) => counts[(int)type]++;
}

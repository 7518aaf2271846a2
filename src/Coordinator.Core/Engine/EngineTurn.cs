namespace Coordinator.Core.Engine;

/// <summary>The outcome of one engine call.</summary>
/// <param name="State">The new instance state.</param>
/// <param name="Actions">The coordination actions produced, in time order, each stamped with its own time.</param>
/// <param name="NextWakeUp">When the engine must be advanced next (a reminder, escalation or summary is due); null when only a human event can change anything or the instance is complete.</param>
public sealed record EngineTurn(InstanceState State, IReadOnlyList<CoordinationAction> Actions, DateTimeOffset? NextWakeUp);

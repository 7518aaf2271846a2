namespace Coordinator.Core.Engine;

/// <summary>A running step and the people it waits on: its owners, or while blocked the people who decide the block.</summary>
public sealed record WaitingStep(string StepId, StepStatus Status, IReadOnlyList<string> WaitingOn, DateTimeOffset? Due);

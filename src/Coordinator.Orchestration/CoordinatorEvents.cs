namespace Coordinator.Orchestration;

/// <summary>The external events a coordinator orchestration listens to.</summary>
public static class CoordinatorEvents
{
    /// <summary>
    /// A person reported something on a step. Payload: <see cref="Core.Engine.HumanEvent"/>. Raise it with
    /// <c>client.RaiseEventAsync(instanceId, CoordinatorEvents.HumanEvent, humanEvent)</c>; events are
    /// applied one at a time in arrival order, and a rejected event is audited, never lost.
    /// </summary>
    public const string HumanEvent = nameof(HumanEvent);
}

namespace Coordinator.Application;

/// <summary>What became of a human event a channel submitted (<see cref="CoordinatorService.SubmitEventAsync"/>).</summary>
public enum EventResultKind
{
    /// <summary>The instance applied it; its audit row is in the registry (<see cref="EventResult.Sequence"/>).</summary>
    Applied,

    /// <summary>Refused: by the engine (the instance's state does not allow it) or because the instance takes no more events; <see cref="EventResult.Reason"/> says why.</summary>
    Rejected,

    /// <summary>Raised, but the instance had not taken it up within the wait: its outcome shows in the instance later, under <see cref="EventResult.EventId"/>.</summary>
    Accepted,

    /// <summary>No such instance.</summary>
    UnknownInstance,

    /// <summary>The instance's workflow has no such step.</summary>
    UnknownStep,

    /// <summary>The instance has not finished its first turn yet; retry in a moment.</summary>
    Starting,
}

/// <summary>The outcome of a submitted event, for the channel to render.</summary>
/// <param name="EventId">The event's id (the client's, or the one the coordinator gave it); null when it was refused before being raised.</param>
/// <param name="Reason">Why it was refused (the engine's reason, or what is unknown), for <see cref="EventResultKind.Rejected"/> and the refusals.</param>
/// <param name="Sequence">The engine action number of the event's own action (the audit's <c>detail.sequence</c>), once applied or rejected by the instance.</param>
/// <param name="AppliedAt">The workflow time it was applied at.</param>
public sealed record EventResult(EventResultKind Kind, string? EventId, string? Reason, long? Sequence = null, DateTimeOffset? AppliedAt = null);

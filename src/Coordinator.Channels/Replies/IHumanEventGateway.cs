using Coordinator.Core.Engine;

namespace Coordinator.Channels.Replies;

/// <summary>What became of an event a reply turned into.</summary>
public enum SubmittedKind
{
    Applied,
    Rejected,

    /// <summary>Raised; the instance has not taken it up yet (its outcome shows in the instance later).</summary>
    Pending,
}

public sealed record SubmittedEvent(SubmittedKind Kind, string? Reason = null);

/// <summary>
/// The application core as the channels see it: submit a person's event to an instance (idempotent on the event's id:
/// the same reply handled twice raises one event). The hosts implement it on their <c>CoordinatorService</c>.
/// Throws when the instance cannot take events yet (its first turn) or the backend is out of reach: the reply is kept and tried again.
/// </summary>
public interface IHumanEventGateway
{
    Task<SubmittedEvent> SubmitAsync(string instanceId, HumanEvent humanEvent, CancellationToken cancellationToken);
}

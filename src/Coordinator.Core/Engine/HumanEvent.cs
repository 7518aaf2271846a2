using System.Text.Json.Serialization;

namespace Coordinator.Core.Engine;

[JsonConverter(typeof(JsonStringEnumConverter<HumanEventType>))]
public enum HumanEventType
{
    /// <summary>The owner reports the step finished.</summary>
    Done,

    /// <summary>The owner reports progress (restarts the silence clock).</summary>
    Progress,

    /// <summary>The owner reports a block; needs <see cref="HumanEvent.Reason"/>.</summary>
    Blocked,

    /// <summary>An option of a decision step, or an alternative on a blocked step; needs <see cref="HumanEvent.Option"/>.</summary>
    Decide,

    /// <summary>The step changes owner; needs <see cref="HumanEvent.To"/> (a person id).</summary>
    Reassign,
}

/// <summary>Something a person reported on a step of a running instance.</summary>
/// <param name="StepId">The step the event is about.</param>
/// <param name="Type">What happened.</param>
/// <param name="By">The person id of who reported it.</param>
/// <param name="Text">Free text (progress notes).</param>
/// <param name="Reason">The block reason (<see cref="HumanEventType.Blocked"/>).</param>
/// <param name="Option">The chosen option or alternative id (<see cref="HumanEventType.Decide"/>).</param>
/// <param name="To">The new owner's person id (<see cref="HumanEventType.Reassign"/>).</param>
public sealed record HumanEvent(
    string StepId,
    HumanEventType Type,
    string By,
    string? Text = null,
    string? Reason = null,
    string? Option = null,
    string? To = null)
{
    /// <summary>
    /// When the coordinator accepted the event (real UTC time, stamped once by the channel that
    /// received it, before it is raised). A durable orchestrator applies the event at this time, so a
    /// turn that runs twice decides the same; null for events raised without a stamp, which are
    /// applied at the orchestration's own clock.
    /// </summary>
    public DateTimeOffset? AcceptedAt { get; init; }

    /// <summary>
    /// The id the receiving channel gave the event (unique per event), so the channel can learn its
    /// outcome (applied or rejected, and why) from the instance; null when the sender needs no answer.
    /// The engine ignores it.
    /// </summary>
    public string? EventId { get; init; }

    /// <summary>
    /// The W3C trace context (<c>traceparent</c>) of the request that sent the event, stamped with
    /// <see cref="AcceptedAt"/>: the spans of the effects of the turn it causes join that request's trace
    /// (and the audit's <c>detail.turn.event.traceParent</c> names it). The engine ignores it.
    /// </summary>
    public string? TraceParent { get; init; }
}

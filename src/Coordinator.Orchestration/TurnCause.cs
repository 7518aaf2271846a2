using System.Text.Json;
using Coordinator.Core.Engine;

namespace Coordinator.Orchestration;

/// <summary>
/// What caused a turn: the human event it applied, or the timer it advanced to (the workflow time).
/// Recorded in the detail of the turn's first audit entry (<c>detail.turn</c>), so the registry
/// says not only what was decided but why, and a re-executed turn that the registry refuses (a lost
/// execution decided this point first, from an event this execution has not been given yet) can
/// follow the recorded turn instead of forking: see <see cref="CoordinatorLoop"/>.
/// </summary>
/// <param name="Event">The event the turn applied (as the channel stamped it: id, acceptance time, texts).</param>
/// <param name="Timer">The workflow time a timer turn advanced to.</param>
public sealed record TurnCause(HumanEvent? Event = null, DateTimeOffset? Timer = null)
{
    /// <summary>The cause recorded in an audit entry's detail (<c>detail.turn</c>); null when it records none or one this version cannot read.</summary>
    public static TurnCause? Of(JsonElement detail)
    {
        if (detail.ValueKind != JsonValueKind.Object || !detail.TryGetProperty("turn", out var turn) || turn.ValueKind != JsonValueKind.Object)
            return null;
        try
        {
            var cause = turn.Deserialize<TurnCause>(SideEffectPlanner.DetailJson);
            return cause is { Event: not null } or { Timer: not null } ? cause : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

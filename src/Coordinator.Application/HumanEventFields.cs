using Coordinator.Core.Engine;
using Coordinator.Core.Input;

namespace Coordinator.Application;

/// <summary>A field of a request at fault and why: every channel renders it its own way (a 400 naming the field, a line on a page, a chat reply).</summary>
public sealed record FieldProblem(string Field, string Message);

/// <summary>
/// A human event from the fields every channel collects: <c>type</c> (done, progress, blocked, decide,
/// reassign), <c>by</c>, and <c>text</c>, <c>reason</c>, <c>option</c>, <c>to</c>, <c>id</c>. A
/// <c>decide</c> without <c>option</c> resumes a block that offers no alternatives; where an option is
/// needed the engine says so. Texts follow <see cref="TextRules"/>: <c>by</c>, <c>to</c>, <c>option</c>
/// and the step id are ids (200 characters), <c>text</c> and <c>reason</c> notes (4,000 characters,
/// tabs and line breaks allowed).
/// </summary>
public static class HumanEventFields
{
    /// <summary>The fields an event may have.</summary>
    public static readonly IReadOnlyList<string> Names = ["type", "by", "text", "reason", "option", "to", "id"];

    public static (HumanEvent? Event, FieldProblem? Problem) Parse(string stepId, IReadOnlyDictionary<string, string?> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        foreach (var name in fields.Keys)
        {
            if (!Names.Contains(name))
                return (null, new FieldProblem(name, $"Unknown field '{name}'; an event has type, by, and text, reason, option, to or id."));
        }
        string? Field(string name) => fields.TryGetValue(name, out var value) ? value : null;
        var (type, by, text, reason, option, to, id) = (Field("type"), Field("by"), Field("text"), Field("reason"), Field("option"), Field("to"), Field("id"));
        HumanEventType kind;
        switch (type)
        {
            case null or "": return (null, new FieldProblem("type", "type is required: done, progress, blocked, decide or reassign."));
            case "done": kind = HumanEventType.Done; break;
            case "progress": kind = HumanEventType.Progress; break;
            case "blocked": kind = HumanEventType.Blocked; break;
            case "decide": kind = HumanEventType.Decide; break;
            case "reassign": kind = HumanEventType.Reassign; break;
            default: return (null, new FieldProblem("type", $"Unknown event type '{type}'; use done, progress, blocked, decide or reassign."));
        }
        if (string.IsNullOrWhiteSpace(by))
            return (null, new FieldProblem("by", "by is required: the person id of who reports the event."));
        if (kind == HumanEventType.Blocked && string.IsNullOrWhiteSpace(reason))
            return (null, new FieldProblem("reason", "A blocked event needs a reason: what blocks the step."));
        if (kind == HumanEventType.Reassign && string.IsNullOrWhiteSpace(to))
            return (null, new FieldProblem("to", "A reassign event needs 'to': the person id of the new owner."));
        // What enters the instance (TextRules, the same for every channel), checked before trimming.
        var humanEvent = new HumanEvent(stepId, kind, by, text, reason, option, to);
        if (TextRules.ValidateEvent(humanEvent) is { } problem)
            return (null, new FieldProblem(problem.Field, problem.Message));
        if (id is not null && !IsEventId(id))
            return (null, new FieldProblem("id", "id names the event so that sending it again is harmless: 1 to 200 letters, digits, '.', '_', ':' or '-'."));
        return (humanEvent with { By = by.Trim(), EventId = id }, null);
    }

    private static bool IsEventId(string id) =>
        id.Length is > 0 and <= 200 && id.All(static c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');
}

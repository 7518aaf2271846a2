using System.Text.Json;
using Coordinator.Core.Engine;
using Coordinator.Core.Input;

namespace Coordinator.Events;

/// <summary>A field of an inbound CloudEvent at fault (<c>specversion</c>, <c>data.by</c>) and what to send instead.</summary>
public sealed record InboundProblem(string Field, string Message);

/// <summary><c>com.coordinator.instance.start</c>'s data.</summary>
public sealed record InboundStart(string Workflow, string? BusinessKey, IReadOnlyDictionary<string, string> Context);

/// <summary><c>com.coordinator.step.event</c>'s data: the instance (its id, or its workflow and business key) and the event.</summary>
public sealed record InboundStepEvent(string? InstanceId, string? Workflow, string? BusinessKey, HumanEvent Event);

/// <summary>
/// Reads the coordinator's two inbound CloudEvents (structured JSON mode), checking the CloudEvents 1.0 required
/// attributes and the data's fields with the same rules as the HTTP API (<see cref="TextRules"/>; the step event's
/// <c>type</c> as the API's, with the aliases <c>decision</c> for <c>decide</c> and <c>unblocked</c> for a
/// <c>decide</c> without option, which resumes a block). Unknown data fields are refused, so a typo is not ignored.
/// </summary>
public static class InboundEvents
{
    private static readonly string[] StartFields = ["workflow", "businessKey", "context"];
    private static readonly string[] StepFields = ["instanceId", "workflow", "businessKey", "step", "type", "by", "text", "reason", "option", "to"];

    /// <summary>The envelope's attributes and data, or the first problem.</summary>
    public static (string? Id, string? Type, JsonElement Data, InboundProblem? Problem) ReadEnvelope(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return (null, null, default, new InboundProblem("", "The body is not a CloudEvent: send one JSON object in structured mode (specversion, id, source, type, data)."));
        if (Text(root, "specversion") != CoordinatorCloudEvents.SpecVersion)
            return (null, null, default, new InboundProblem("specversion", "specversion must be \"1.0\" (CloudEvents 1.0)."));
        foreach (var name in new[] { "id", "source", "type" })
        {
            if (string.IsNullOrEmpty(Text(root, name)))
                return (null, null, default, new InboundProblem(name, $"{name} is required: a non-empty string (CloudEvents 1.0)."));
        }
        if (Text(root, "datacontenttype") is { } contentType && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return (null, null, default, new InboundProblem("datacontenttype", "datacontenttype must be application/json (or absent): data is a JSON object."));
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            return (null, null, default, new InboundProblem("data", "data is required: a JSON object with the event's fields (docs/integrations.md)."));
        return (Text(root, "id"), Text(root, "type"), data, null);
    }

    public static (InboundStart? Start, InboundProblem? Problem) ReadStart(JsonElement data)
    {
        if (Unknown(data, StartFields) is { } unknown)
            return (null, unknown);
        var workflow = Text(data, "workflow");
        if (string.IsNullOrEmpty(workflow))
            return (null, new InboundProblem("data.workflow", "data.workflow is required: the id of the workflow to start (GET /api/workflows lists them)."));
        if (Kind(data, "businessKey") is not (null or JsonValueKind.String or JsonValueKind.Null))
            return (null, new InboundProblem("data.businessKey", "data.businessKey must be a string (the claim number, the deal id)."));
        var businessKey = Text(data, "businessKey");
        if (TextRules.Validate("data.businessKey", businessKey, TextKind.Id) is { } badKey)
            return (null, new InboundProblem("data.businessKey", badKey));
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        if (data.TryGetProperty("context", out var fields) && fields.ValueKind != JsonValueKind.Null)
        {
            if (fields.ValueKind != JsonValueKind.Object)
                return (null, new InboundProblem("data.context", "data.context must be an object of field name to value (a string, number or boolean)."));
            foreach (var field in fields.EnumerateObject())
            {
                var value = field.Value.ValueKind switch
                {
                    JsonValueKind.String => field.Value.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => field.Value.GetRawText(),
                    _ => null,
                };
                if (value is null)
                    return (null, new InboundProblem($"data.context.{field.Name}", $"data.context.{field.Name} must be a string, number or boolean."));
                if (!context.TryAdd(field.Name, value))
                    return (null, new InboundProblem($"data.context.{field.Name}", $"data.context.{field.Name} is given twice; give each field once."));
            }
            if (TextRules.ValidateContext(context, "data.context") is { } bad)
                return (null, new InboundProblem(bad.Field, bad.Message));
        }
        return (new InboundStart(workflow, businessKey, context), null);
    }

    /// <summary>The step event, with <see cref="HumanEvent.EventId"/> = the CloudEvent's <paramref name="eventId"/> (a redelivery is applied once).</summary>
    public static (InboundStepEvent? Event, InboundProblem? Problem) ReadStepEvent(JsonElement data, string eventId)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        if (Unknown(data, StepFields) is { } unknown)
            return (null, unknown);
        foreach (var name in StepFields)
        {
            if (Kind(data, name) is not (null or JsonValueKind.String or JsonValueKind.Null))
                return (null, new InboundProblem("data." + name, $"data.{name} must be a string."));
        }
        if (!IsEventId(eventId))
            return (null, new InboundProblem("id", "A step event's id names the event so that a redelivery is applied once: 1 to 200 letters, digits, '.', '_', ':' or '-'."));
        var (instanceId, workflow, businessKey) = (Text(data, "instanceId"), Text(data, "workflow"), Text(data, "businessKey"));
        if (string.IsNullOrEmpty(instanceId) && (string.IsNullOrEmpty(workflow) || string.IsNullOrEmpty(businessKey)))
            return (null, new InboundProblem("data.instanceId", "Name the instance: data.instanceId, or data.workflow and data.businessKey."));
        var step = Text(data, "step");
        if (string.IsNullOrEmpty(step))
            return (null, new InboundProblem("data.step", "data.step is required: the id of the step the event is about."));
        var (type, by, text, reason, option, to) = (Text(data, "type"), Text(data, "by"), Text(data, "text"), Text(data, "reason"), Text(data, "option"), Text(data, "to"));
        HumanEventType kind;
        switch (type)
        {
            case "done": kind = HumanEventType.Done; break;
            case "progress": kind = HumanEventType.Progress; break;
            case "blocked": kind = HumanEventType.Blocked; break;
            case "decide" or "decision": kind = HumanEventType.Decide; break;
            case "unblocked": kind = HumanEventType.Decide; option = null; break;
            case "reassign": kind = HumanEventType.Reassign; break;
            default:
                return (null, new InboundProblem("data.type", $"data.type '{type}' is not an event type: use done, progress, blocked, unblocked, decide (or decision, with option) or reassign (with to)."));
        }
        if (string.IsNullOrWhiteSpace(by))
            return (null, new InboundProblem("data.by", "data.by is required: the person id of who reports the event (as in the people directory)."));
        if (kind == HumanEventType.Blocked && string.IsNullOrWhiteSpace(reason))
            return (null, new InboundProblem("data.reason", "A blocked event needs data.reason: what blocks the step."));
        if (kind == HumanEventType.Reassign && string.IsNullOrWhiteSpace(to))
            return (null, new InboundProblem("data.to", "A reassign event needs data.to: the person id of the new owner."));
        var humanEvent = new HumanEvent(step, kind, by.Trim(), text, reason, option, to) { EventId = eventId };
        if (TextRules.ValidateEvent(humanEvent with { By = by }) is { } problem)
            return (null, new InboundProblem("data." + (problem.Field == "stepId" ? "step" : problem.Field), problem.Message));
        return (new InboundStepEvent(string.IsNullOrEmpty(instanceId) ? null : instanceId, workflow, businessKey, humanEvent), null);
    }

    private static InboundProblem? Unknown(JsonElement data, string[] names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in data.EnumerateObject())
        {
            if (!names.Contains(property.Name))
                return new InboundProblem("data." + property.Name, $"Unknown field data.{property.Name}; this event's data has {string.Join(", ", names)}.");
            if (!seen.Add(property.Name))
                return new InboundProblem("data." + property.Name, $"data.{property.Name} is given twice; give each field once.");
        }
        return null;
    }

    private static JsonValueKind? Kind(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool IsEventId(string id) =>
        id.Length is > 0 and <= 200 && id.All(static c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');
}

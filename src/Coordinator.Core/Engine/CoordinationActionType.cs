using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coordinator.Core.Engine;

/// <summary>The kinds of coordination action. On the wire (JSON, audit, simulator) they are written as <see cref="CoordinationActionTypes.WireName"/>.</summary>
[JsonConverter(typeof(CoordinationActionTypeJsonConverter))]
public enum CoordinationActionType
{
    InstanceStarted,
    StepActivated,
    StepSkipped,
    Reminder,
    Escalation,
    StepBlocked,
    DecisionRequested,
    DecisionMade,
    StepReassigned,
    StepCompleted,
    Summary,
    EventRejected,
    InstanceCompleted,

    /// <summary>A progress note on a step: restarts its silence clock; recorded, nobody is notified.</summary>
    StepProgress,
}

public static class CoordinationActionTypes
{
    private static readonly string[] Names =
    [
        "instance.started",
        "step.activated",
        "step.skipped",
        "reminder",
        "escalation",
        "step.blocked",
        "decision.requested",
        "decision.made",
        "step.reassigned",
        "step.completed",
        "summary",
        "event.rejected",
        "instance.completed",
        "step.progress",
    ];

    /// <summary>The wire name, e.g. <c>step.activated</c>.</summary>
    public static string WireName(this CoordinationActionType type) => Names[(int)type];

    public static bool TryParse(string wireName, out CoordinationActionType type)
    {
        var index = Array.IndexOf(Names, wireName);
        type = (CoordinationActionType)Math.Max(index, 0);
        return index >= 0;
    }
}

/// <summary>Writes and reads <see cref="CoordinationActionType"/> as its wire name.</summary>
public sealed class CoordinationActionTypeJsonConverter : JsonConverter<CoordinationActionType>
{
    public override CoordinationActionType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return text is not null && CoordinationActionTypes.TryParse(text, out var type)
            ? type
            : throw new JsonException($"'{text}' is not a coordination action type.");
    }

    public override void Write(Utf8JsonWriter writer, CoordinationActionType value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.WireName());
    }
}

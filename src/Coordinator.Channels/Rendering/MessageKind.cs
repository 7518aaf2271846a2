using Coordinator.Core.Engine;

namespace Coordinator.Channels.Rendering;

/// <summary>What a message tells a person. Each kind has a template per language (<see cref="MessageTemplates"/>).</summary>
public enum MessageKind
{
    StepAssigned,
    StepReassigned,
    Reminder,
    Overdue,
    Escalation,
    BlockReported,
    DecisionRequested,
    DecisionMade,
    EventRejected,
    Summary,
    InstanceStarted,
    InstanceCompleted,
}

public static class MessageKinds
{
    private static readonly string[] Names =
    [
        "step-assigned", "step-reassigned", "reminder", "overdue", "escalation", "block-reported",
        "decision-requested", "decision-made", "event-rejected", "summary", "instance-started", "instance-completed",
    ];

    /// <summary>Every kind, in declaration order.</summary>
    public static IReadOnlyList<MessageKind> All { get; } = Enum.GetValues<MessageKind>();

    /// <summary>The kind's name in template file names, such as <c>step-assigned</c>.</summary>
    public static string FileName(this MessageKind kind) => Names[(int)kind];

    public static bool TryParse(string name, out MessageKind kind)
    {
        var index = Array.IndexOf(Names, name);
        kind = (MessageKind)Math.Max(index, 0);
        return index >= 0;
    }

    /// <summary>The kind of message an action becomes, or null for actions nobody is told about (a skipped step, a progress note).</summary>
    public static MessageKind? Of(CoordinationAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return action.Type switch
        {
            CoordinationActionType.StepActivated => MessageKind.StepAssigned,
            CoordinationActionType.StepReassigned => MessageKind.StepReassigned,
            CoordinationActionType.Reminder => action.Due is { } due && action.At > due ? MessageKind.Overdue : MessageKind.Reminder,
            CoordinationActionType.Escalation => MessageKind.Escalation,
            CoordinationActionType.StepBlocked => MessageKind.BlockReported,
            CoordinationActionType.DecisionRequested => MessageKind.DecisionRequested,
            CoordinationActionType.DecisionMade => MessageKind.DecisionMade,
            CoordinationActionType.EventRejected => MessageKind.EventRejected,
            CoordinationActionType.Summary => MessageKind.Summary,
            CoordinationActionType.InstanceStarted => MessageKind.InstanceStarted,
            CoordinationActionType.InstanceCompleted => MessageKind.InstanceCompleted,
            _ => null,
        };
    }
}

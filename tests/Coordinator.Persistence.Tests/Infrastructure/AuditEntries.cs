using System.Text.Json;
using Coordinator.Core.Ports;

namespace Coordinator.Persistence.Tests.Infrastructure;

internal static class AuditEntries
{
    private static readonly DateTimeOffset Start = new(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Entries <paramref name="first"/>..first+count-1 of an instance, with deterministic keys.</summary>
    public static List<AuditEntry> For(string instanceId, int count, int first = 0, string? businessKey = "2024-0847") =>
        [.. Enumerable.Range(first, count).Select(i => Entry(instanceId, i, businessKey))];

    /// <summary>
    /// An engine action as the orchestration records it: key <c>{instance}/{sequence:D6}:{action}:{step}</c>,
    /// detail with the engine's action number <c>sequence</c>.
    /// </summary>
    public static AuditEntry EngineAction(string instanceId, long sequence, string action, string stepId = "legal-review", string actor = "person-7") => new()
    {
        IdempotencyKey = $"{instanceId}/{sequence:D6}:{action}:{stepId}",
        At = Start.AddMinutes(sequence),
        InstanceId = instanceId,
        WorkflowId = "claim-handling",
        WorkflowVersion = 3,
        BusinessKey = "2024-0847",
        StepId = stepId,
        Action = action,
        Actor = actor,
        Detail = JsonSerializer.SerializeToElement(new { sequence, key = $"{sequence:D6}:{action}:{stepId}", reason = action == "step.blocked" ? "waiting for the police report" : null }),
    };

    public static AuditEntry Entry(string instanceId, int index, string? businessKey = "2024-0847") => new()
    {
        IdempotencyKey = $"{instanceId}/step-{index % 7}/reminder.sent/{index}",
        At = Start.AddMinutes(index).AddTicks(index % 10),
        InstanceId = instanceId,
        WorkflowId = "claim-handling",
        WorkflowVersion = 3,
        BusinessKey = businessKey,
        StepId = $"step-{index % 7}",
        Action = index % 5 == 0 ? "escalation.raised" : "reminder.sent",
        Actor = index % 3 == 0 ? AuditEntry.CoordinatorActor : $"person-{index % 11}",
        Verdict = (AuditVerdict)(index % 3),
        Detail = JsonSerializer.SerializeToElement(new { reminder = index, channel = "slack", note = $"n\"{index}\"" }),
    };
}

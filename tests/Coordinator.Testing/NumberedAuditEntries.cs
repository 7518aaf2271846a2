using System.Text.Json;
using Coordinator.Core.Ports;

namespace Coordinator.Testing;

/// <summary>Audit entries for the fork-rule tests of every audit log (PostgreSQL, in memory, the CLI's verify).</summary>
public static class NumberedAuditEntries
{
    /// <summary>An action of <paramref name="instanceId"/> with engine action number <paramref name="sequence"/> (<c>detail.sequence</c>), keyed <c>{instance}/{sequence:D6}:{action}</c>.</summary>
    public static AuditEntry Action(string instanceId, long sequence, string action) => new()
    {
        IdempotencyKey = $"{instanceId}/{sequence:D6}:{action}",
        At = new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.Zero).AddMinutes(sequence),
        InstanceId = instanceId,
        WorkflowId = "claim-handling",
        WorkflowVersion = 3,
        StepId = "legal-review",
        Action = action,
        Actor = "person-7",
        Detail = JsonSerializer.SerializeToElement(new { sequence }),
    };
}

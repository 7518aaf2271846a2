using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;

namespace Coordinator.Crm.Tests;

/// <summary>CRM updates of one onboarding instance (deal 4711), as the orchestrator plans them.</summary>
internal static class Updates
{
    public const string Deal = "4711";
    public const string Instance = "b2b-onboarding.4711";
    public static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    public static CrmUpdate Of(long sequence, string change, InstanceHealth health, string[] steps, string? step = null, string? note = null, int level = 0, DateTimeOffset? due = null, string deal = Deal) => new()
    {
        IdempotencyKey = $"{Instance}:{sequence}-{change}",
        InstanceId = Instance,
        WorkflowId = "b2b-onboarding",
        WorkflowVersion = 2,
        BusinessKey = deal,
        Change = change,
        At = T0.AddHours(sequence),
        StepId = step,
        StepTitle = step is null ? null : $"Step {step}",
        Note = note,
        Object = CrmObjectType.Deal,
        Properties = CrmPropertyNames.Default,
        Sequence = sequence,
        Standing = new InstanceStanding(health, steps, due ?? T0.AddDays(5), level),
    };
}

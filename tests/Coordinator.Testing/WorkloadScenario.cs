using System.Text.Json;
using Coordinator.Core.Ports;

namespace Coordinator.Testing;

/// <summary>
/// One set of running and completed instances, with failed side effects in the audit, and the
/// workload figures it must give: the same scenario for every <see cref="IWorkloadReader"/>.
/// </summary>
public static class WorkloadScenario
{
    public static readonly DateTimeOffset Start = new(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>When the figures are read: 30 hours after <see cref="Start"/> in real time.</summary>
    public static readonly DateTimeOffset Now = Start.AddHours(30);

    /// <summary>
    /// b2b: i-1 (real time) has <c>contract</c> active and due after 1 day (overdue at <see cref="Now"/>) and
    /// <c>kickoff</c> blocked, due after 10 days; i-2 runs 60× faster (75 workflow days at <see cref="Now"/>)
    /// with a decision due after 100 days and <c>setup</c> active, due after 50 days (overdue); i-3 completed.
    /// claims: c-1 with <c>assess</c> active, no due date.
    /// </summary>
    public static IReadOnlyList<InstanceWork> Instances { get; } =
    [
        Work("i-1", "b2b", 1, false, ("contract", "active", Start.AddDays(1)), ("kickoff", "blocked", Start.AddDays(10))),
        Work("i-2", "b2b", 60, false, ("go-no-go", "decision", Start.AddDays(100)), ("setup", "active", Start.AddDays(50))),
        Work("i-3", "b2b", 1, true),
        Work("c-1", "claims", 1, false, ("assess", "active", null)),
    ];

    /// <summary>
    /// Effect outcomes: i-1's notification k1 failed then recovered; i-1's CRM update k2 failed twice (pending);
    /// i-2's k3 failed then was given up; completed i-3's k4 failed (its instance no longer runs).
    /// </summary>
    public static IReadOnlyList<AuditEntry> EffectOutcomes { get; } =
    [
        Outcome("i-1", "b2b", "k1", "side_effect.failed", 1),
        Outcome("i-1", "b2b", "k2", "side_effect.failed", 1),
        Outcome("i-1", "b2b", "k1", "side_effect.recovered", 1),
        Outcome("i-2", "b2b", "k3", "side_effect.failed", 1),
        Outcome("i-1", "b2b", "k2", "side_effect.failed", 2),
        Outcome("i-2", "b2b", "k3", "side_effect.abandoned", 1),
        Outcome("i-3", "b2b", "k4", "side_effect.failed", 1),
    ];

    /// <summary>What a reader must answer at <see cref="Now"/>.</summary>
    public static IReadOnlyList<WorkflowWorkload> Expected { get; } =
    [
        new("b2b", InstancesRunning: 2, StepsActive: 2, StepsBlocked: 1, DecisionsWaiting: 1, StepsOverdue: 2, EffectsPendingRetry: 1),
        new("claims", InstancesRunning: 1, StepsActive: 1, StepsBlocked: 0, DecisionsWaiting: 0, StepsOverdue: 0, EffectsPendingRetry: 0),
    ];

    private static InstanceWork Work(string id, string workflow, double scale, bool completed, params (string Step, string Status, DateTimeOffset? Due)[] waiting) => new()
    {
        Instance = new WorkInstance(id, workflow, "Title of " + workflow, "KEY-" + id, Start, scale),
        Version = 1,
        Completed = completed,
        Waiting = [.. waiting.Select(w => new WaitingStepWork(w.Step, "Title of " + w.Step, w.Status, ["person.of-" + w.Step], w.Due))],
        Items = [],
        People = new Dictionary<string, IReadOnlyList<string>>(),
    };

    private static AuditEntry Outcome(string instance, string workflow, string effectKey, string action, int failures) => new()
    {
        IdempotencyKey = $"{instance}:{effectKey}:{action}:{failures}",
        At = Start.AddMinutes(failures),
        InstanceId = instance,
        WorkflowId = workflow,
        WorkflowVersion = 1,
        Action = action,
        Actor = AuditEntry.CoordinatorActor,
        Verdict = action == "side_effect.recovered" ? AuditVerdict.Allow : AuditVerdict.Warn,
        Detail = JsonSerializer.SerializeToElement(new { effect = "notification", effectKey, failures }),
    };
}

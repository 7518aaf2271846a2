using System.Text.Json;
using Coordinator.Core.Ports;

namespace Coordinator.Events.Tests;

/// <summary>The sample actions the tests send: the worked example of docs/integrations.md and numbered rows of an onboarding.</summary>
internal static class Samples
{
    public static readonly Uri Source = new("https://coordinator.example.com/");

    /// <summary>The worked example's row: step <c>kickoff</c> of onboarding 4711 activated, owned by person-7, due a day later.</summary>
    public static AuditEntry WorkedExample { get; } = new()
    {
        IdempotencyKey = "onboarding.4711:000002:step.activated:kickoff",
        At = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero),
        InstanceId = "onboarding.4711",
        WorkflowId = "onboarding",
        WorkflowVersion = 3,
        BusinessKey = "4711",
        StepId = "kickoff",
        Action = "step.activated",
        Actor = AuditEntry.CoordinatorActor,
        Detail = JsonSerializer.SerializeToElement(new { sequence = 2, to = new[] { "person-7" }, due = "2026-03-03T09:00:00+00:00" }),
    };

    /// <summary>Action <paramref name="sequence"/> of an instance of <paramref name="workflow"/>, keyed like the engine's.</summary>
    public static AuditEntry Action(string workflow, string businessKey, int sequence, string action = "step.progress", string step = "kickoff") => new()
    {
        IdempotencyKey = $"{workflow}.{businessKey}:{sequence:D6}:{action}:{step}",
        At = DateTimeOffset.UtcNow,
        InstanceId = $"{workflow}.{businessKey}",
        WorkflowId = workflow,
        WorkflowVersion = 1,
        BusinessKey = businessKey,
        StepId = step,
        Action = action,
        Actor = "person-7",
        Detail = JsonSerializer.SerializeToElement(new { sequence, to = new[] { "person-7" } }),
    };
}

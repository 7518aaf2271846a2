using System.Text.Json;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Coordinator.Core.Simulation;
using Coordinator.Orchestration.Tests.Support;

namespace Coordinator.Orchestration.Tests;

/// <summary>
/// The simulator and the durable orchestrator drive the same engine: given the same definition and
/// the same human events at the same workflow-time offsets, they must produce the same actions.
/// </summary>
/// <remarks>
/// The durable run is scripted reactively: each event is raised once the orchestration shows the
/// state the event responds to, and the test waits until it has been applied. The workflow time at
/// which the orchestrator applied it (<see cref="CoordinatorProgress.LastEventAt"/>) minus the start
/// becomes that event's offset in the scenario the simulator runs. Timer actions (reminders,
/// escalations, summaries) carry their own due times in both runs, so the comparison is exact:
/// sequence, key, time, type, step, recipients, level, option and reason of every action.
/// </remarks>
[Collection(DurableCollection.Name)]
public sealed class SimulatedVersusDurableTests(DurableHostFixture fixture) : IAsyncLifetime
{
    private readonly InstanceTracker durable = new(fixture);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => durable.DisposeAsync();

    private sealed record ScriptStep(string Waits, Func<CoordinatorStatus, bool> Until, HumanEvent Event);

    private static Func<CoordinatorStatus, bool> Step(string id, Func<StepState, bool> condition) =>
        s => condition(s.Instance.FindStep(id)!);

    private static bool Running(StepState s) => s.Status is StepStatus.Active;

    [Fact]
    public async Task RunAsync_SameDefinitionAndScenario_ProducesTheSameActionsAsTheSimulator()
    {
        var definition = TestWorkflows.Everything;
        var context = new Dictionary<string, string> { ["ref"] = "R-42" };
        ScriptStep[] script =
        [
            new("intake active", Step("intake", Running), new("intake", HumanEventType.Progress, "ann.worker", Text: "forms received")),
            new("a reminder on intake", Step("intake", s => s.RemindersSent >= 1), new("intake", HumanEventType.Done, "ann.worker")),
            new("setup active", Step("setup", Running), new("setup", HumanEventType.Blocked, "ann.worker", Reason: "customer IdP undecided")),
            new("an escalation of the pending decision", Step("setup", s => s.EscalationsFired >= 1), new("setup", HumanEventType.Decide, "pat.owner", Option: "wait")),
            new("both escalation levels on legal", Step("legal", s => s.EscalationsFired >= 2), new("legal", HumanEventType.Done, "ann.worker", Text: "DPA signed")),
            new("setup resumed", Step("setup", Running), new("setup", HumanEventType.Done, "ann.worker")),
            new("review active", Step("review", Running), new("review", HumanEventType.Done, "pat.owner")),
            new("review still active", Step("review", Running), new("review", HumanEventType.Decide, "pat.owner", Option: "approve")),
            new("ship active", Step("ship", Running), new("ship", HumanEventType.Done, "ann.worker")),
        ];

        var id = await durable.StartAsync(definition, context, TestWorkflows.TimeScale);
        var scenarioEvents = new List<ScenarioEvent>();
        DateTimeOffset? startedAt = null;
        foreach (var step in script)
        {
            var ready = await durable.WaitForStatusAsync(id, step.Until, step.Waits);
            startedAt ??= ready.Instance.StartedAt;
            var applied = await durable.RaiseAndWaitAsync(id, step.Event);
            scenarioEvents.Add(new ScenarioEvent(applied.Progress.LastEventAt!.Value - startedAt.Value, step.Event, default));
        }
        var result = await durable.WaitForCompletionAsync(id);

        var simulated = Simulator.Run(definition, new Scenario(context, scenarioEvents), startedAt!.Value);

        Assert.Equal(SimulationOutcome.Completed, simulated.Outcome);
        var durableActions = durable.Audit.For(id).OrderBy(Sequence).Select(Describe).ToList();
        var simulatedActions = simulated.Actions.Select(Describe).ToList();
        Assert.Equal(simulatedActions, durableActions);
        Assert.Equal(simulated.Actions.Count, result.ActionCount);
        Assert.Equal(1, simulated.Counts.Rejections);
        Assert.True(simulated.Counts.Reminders > 0 && simulated.Counts.Escalations >= 3, "the scenario should exercise reminders and escalations");
        Assert.Equal(["rework"], result.SkippedSteps);
    }

    private static long Sequence(AuditEntry entry) => entry.Detail!.Value.GetProperty("sequence").GetInt64();

    private static string Describe(CoordinationAction a) =>
        Describe(a.Sequence, a.Key, a.At, a.Type.WireName(), a.StepId, a.To, a.Level, a.Option, a.Reason);

    private static string Describe(AuditEntry e)
    {
        var detail = e.Detail!.Value;
        string? Text(string name) => detail.TryGetProperty(name, out var value) ? value.GetString() : null;
        return Describe(
            Sequence(e),
            Text("key")!,
            e.At,
            e.Action,
            e.StepId,
            [.. detail.GetProperty("to").EnumerateArray().Select(p => p.GetString()!)],
            detail.TryGetProperty("level", out var level) && level.ValueKind == JsonValueKind.Number ? level.GetInt32() : null,
            Text("option"),
            Text("reason"));
    }

    private static string Describe(long sequence, string key, DateTimeOffset at, string type, string? step, IReadOnlyList<string> to, int? level, string? option, string? reason) =>
        $"{sequence} {key} {at:O} {type} {step} to=[{string.Join(",", to)}] level={level} option={option} reason={reason}";
}

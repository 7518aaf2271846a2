using Coordinator.Core.Engine;
using Coordinator.Orchestration.Tests.Support;

namespace Coordinator.Orchestration.Tests;

public sealed class SideEffectPlannerTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<CoordinationAction> Actions(out IReadOnlyList<CoordinationAction> blockActions)
    {
        var d = TestWorkflows.Everything;
        var first = CoordinationEngine.Start(d, new Dictionary<string, string> { ["ref"] = "R-1" }, Start);
        var done = CoordinationEngine.Apply(d, first.State, new HumanEvent("intake", HumanEventType.Done, "ann.worker", Text: "all forms in"), Start.AddMinutes(30));
        var blocked = CoordinationEngine.Apply(d, done.State, new HumanEvent("setup", HumanEventType.Blocked, "ann.worker", Reason: "IdP undecided"), Start.AddMinutes(40));
        blockActions = blocked.Actions;
        return [.. first.Actions, .. done.Actions, .. blocked.Actions];
    }

    [Fact]
    public void Audit_Turn_OneEntryPerActionInOrderKeyedByInstanceAndActionKey()
    {
        var actions = Actions(out _);
        var planner = new SideEffectPlanner("inst-1", TestWorkflows.Everything, "R-1");

        var entries = planner.Audit(actions).Entries;

        Assert.Equal(actions.Select(a => $"inst-1:{a.Key}"), entries.Select(e => e.IdempotencyKey));
        Assert.Equal(actions.Select(a => a.Type.WireName()), entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal("R-1", e.BusinessKey));
        Assert.Equal("ann.worker", entries.Single(e => e.Action == "step.blocked").Actor);
        Assert.Equal("coordinator", entries[0].Actor);
    }

    [Fact]
    public void Notify_WorkflowDeclaringTopics_CarriesThem_AndNoneWithout()
    {
        var declared = TestWorkflows.Everything with { Guardrails = new() { Topics = ["customer onboarding", "IT set-up"] } };
        var action = Actions(out _).First(a => a.To.Count > 0);

        Assert.Equal(["customer onboarding", "IT set-up"], new SideEffectPlanner("inst-1", declared, "R-1").Notify(action)!.Notification.Topics);
        Assert.Null(new SideEffectPlanner("inst-1", TestWorkflows.Everything, "R-1").Notify(action)!.Notification.Topics);
    }

    [Fact]
    public void Notify_ActionsWithAndWithoutRecipients_NotifiesOnlyAddressedActions()
    {
        var planner = new SideEffectPlanner("inst-1", TestWorkflows.Everything, "R-1");
        foreach (var action in Actions(out _))
        {
            var request = planner.Notify(action);
            if (action.To.Count == 0)
            {
                Assert.Null(request);
                continue;
            }
            Assert.NotNull(request);
            Assert.Equal(action.To, request.Notification.Recipients);
            Assert.Equal($"inst-1:{action.Key}", request.Notification.IdempotencyKey);
            Assert.Equal("Parallel work, a block, a decision", request.Notification.WorkflowTitle);
        }
    }

    [Fact]
    public void Crm_InstanceWithoutBusinessKey_UpdatesNothing()
    {
        var planner = new SideEffectPlanner("inst-1", TestWorkflows.Everything, businessKey: null);
        Assert.All(Actions(out _), a => Assert.Null(planner.Crm(a)));
    }

    [Fact]
    public void Crm_ProgressChanges_UpdateTheRecordButRemindersAndRequestsDoNot()
    {
        var planner = new SideEffectPlanner("inst-1", TestWorkflows.Everything, "R-1");
        var updates = Actions(out _).Select(a => planner.Crm(a)).OfType<Activities.UpdateCrmRequest>().Select(r => r.Update).ToList();

        Assert.Equal(
            ["instance.started", "step.activated", "step.completed", "step.activated", "step.activated", "step.blocked"],
            updates.Select(u => u.Change));
        Assert.Equal(["ann.worker"], updates[1].Owners);
        Assert.Equal("IdP undecided", updates[^1].Note);
        Assert.All(updates, u => Assert.Null(u.Standing));
    }

    [Fact]
    public void Crm_InstanceWhoseCrmShowsStanding_CarriesWhereItStandsAfterTheTurn()
    {
        var d = TestWorkflows.Everything;
        var planner = new SideEffectPlanner("inst-1", d, "R-1", crmShowsStanding: true);
        var first = CoordinationEngine.Start(d, new Dictionary<string, string> { ["ref"] = "R-1" }, Start);
        var blocked = CoordinationEngine.Apply(d, CoordinationEngine.Apply(d, first.State, new HumanEvent("intake", HumanEventType.Done, "ann.worker"), Start.AddMinutes(30)).State,
            new HumanEvent("setup", HumanEventType.Blocked, "ann.worker", Reason: "IdP undecided"), Start.AddMinutes(40));

        var started = planner.Crm(first.Actions[0], first.State)!.Update;
        var block = planner.Crm(blocked.Actions.First(a => a.Type == CoordinationActionType.StepBlocked), blocked.State)!.Update;

        Assert.Equal(InstanceHealth.OnTrack, started.Standing!.Health);
        Assert.Equal(["Intake"], started.Standing.CurrentSteps);
        Assert.Equal(InstanceHealth.Blocked, block.Standing!.Health);
        Assert.Contains("Environment set-up", block.Standing.CurrentSteps);
        Assert.Equal((d.Version, Coordinator.Core.Definitions.CrmObjectType.Deal), (block.WorkflowVersion, block.Object));
        Assert.True(block.Sequence > started.Sequence);
    }

    [Fact]
    public void Crm_ReminderOfAnInstanceWhoseCrmShowsStanding_UpdatesTheRecordButNotForOlderInstances()
    {
        var d = TestWorkflows.Everything;
        var first = CoordinationEngine.Start(d, new Dictionary<string, string> { ["ref"] = "R-1" }, Start);
        var reminder = new CoordinationAction { Type = CoordinationActionType.Reminder, Sequence = 99, Key = "r", At = Start.AddDays(1), StepId = "intake", To = ["ann.worker"] };

        Assert.NotNull(new SideEffectPlanner("inst-1", d, "R-1", crmShowsStanding: true).Crm(reminder, first.State));
        Assert.Null(new SideEffectPlanner("inst-1", d, "R-1").Crm(reminder, first.State));
    }

    [Fact]
    public void Memory_BlockAndCompletionNote_AreRememberedAsSentences()
    {
        var planner = new SideEffectPlanner("inst-1", TestWorkflows.Everything, "R-1");
        var records = Actions(out _).Select(planner.Memory).OfType<Activities.RecordMemoryRequest>().Select(r => r.Record).ToList();

        Assert.Equal(["step.completed", "step.blocked"], records.Select(r => r.Kind));
        Assert.Equal("ann.worker finished \"Intake\": all forms in", records[0].Text);
        Assert.Equal("ann.worker reported \"Environment set-up\" blocked: IdP undecided", records[1].Text);
    }
}

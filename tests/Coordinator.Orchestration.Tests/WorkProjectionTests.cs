using System.Text.Json;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Coordinator.Orchestration.Activities;
using Coordinator.Orchestration.Tests.Support;

namespace Coordinator.Orchestration.Tests;

/// <summary>
/// The read model of open work as the orchestrator writes it (the <c>ProjectWork</c> activity), on a
/// real Durable Task host: after every turn that changes it, a snapshot of whom the instance waits on.
/// </summary>
[Collection(DurableCollection.Name)]
public sealed class WorkProjectionTests(DurableHostFixture fixture) : IAsyncLifetime
{
    private readonly InstanceTracker durable = new(fixture);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => durable.DisposeAsync();

    private InstanceWork Latest(string instanceId) =>
        durable.Work.Latest(instanceId) ?? throw new Xunit.Sdk.XunitException($"{instanceId} projected nothing.");

    /// <summary>Applies the event, then waits until the status says the work lists show the turn (the projection follows the status).</summary>
    private async Task<CoordinatorStatus> ApplyAsync(string instanceId, HumanEvent humanEvent)
    {
        var applied = await durable.RaiseAndWaitAsync(instanceId, humanEvent);
        return await ShownAsync(instanceId, applied.Instance.Sequence);
    }

    private Task<CoordinatorStatus> ShownAsync(string instanceId, long sequence) =>
        durable.WaitForStatusAsync(instanceId, s => s.WorkProjectedThrough >= sequence, $"the work lists showing action {sequence}");

    [Fact]
    public async Task Turns_BlockDecideAndDone_ProjectTheOwnerTheDeciderAndFinallyNothing()
    {
        var id = await durable.StartAsync(TestWorkflows.Blockable, TestWorkflows.NoContext, TestWorkflows.TimeScale);
        var first = await durable.WaitForStatusAsync(id, s => s.Instance.FindStep("setup")!.Status == StepStatus.Active, "setup active");
        await ShownAsync(id, first.Instance.Sequence);

        var active = Assert.Single(Latest(id).Items);
        Assert.Equal(("ann.worker", "setup", "Environment set-up", WorkKind.Step, "active"), (active.PersonId, active.StepId, active.Title, active.Kind, active.Status));
        Assert.Equal(["team"], Latest(id).People["ann.worker"]);

        await ApplyAsync(id, new HumanEvent("setup", HumanEventType.Blocked, "ann.worker", Reason: "customer IdP undecided"));
        var blocked = Latest(id);
        var owner = Assert.Single(blocked.Items, i => i.PersonId == "ann.worker");
        Assert.Equal((WorkKind.Step, "blocked", "customer IdP undecided"), (owner.Kind, owner.Status, owner.BlockReason));
        var decider = Assert.Single(blocked.Items, i => i.PersonId == "pat.owner");
        Assert.Equal((WorkKind.Block, "ann.worker"), (decider.Kind, decider.BlockedBy));
        Assert.Equal(["wait", "workaround"], decider.Options.Select(o => o.Id));
        var waiting = Assert.Single(blocked.Waiting);
        Assert.Equal(("setup", "blocked"), (waiting.StepId, waiting.Status));
        Assert.Equal(["pat.owner"], waiting.People);

        await ApplyAsync(id, new HumanEvent("setup", HumanEventType.Decide, "pat.owner", Option: "wait"));
        var resumed = Assert.Single(Latest(id).Items);
        Assert.Equal(("ann.worker", "active"), (resumed.PersonId, resumed.Status));
        Assert.True(resumed.Due > active.Due, "the chosen alternative extends the due time; the projection shows the new one");

        await durable.RaiseAndWaitAsync(id, new HumanEvent("setup", HumanEventType.Done, "ann.worker"));
        await durable.WaitForCompletionAsync(id);
        var completed = Latest(id);
        Assert.True(completed.Completed);
        Assert.Empty(completed.Items);
        Assert.Empty(completed.Waiting);
        var versions = durable.Work.Received(id).Select(w => w.Version).ToArray();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Distinct(), versions);
    }

    [Fact]
    public async Task Turns_RemindersThatChangeNothing_AreNotProjectedAgainButEscalationLevelsAre()
    {
        var id = await durable.StartAsync(TestWorkflows.SilentStep, TestWorkflows.NoContext, TestWorkflows.TimeScale);

        var escalated = await durable.WaitForStatusAsync(id, s => s.Instance.FindStep("report")!.EscalationsFired == 2, "escalation level 2 on report");
        await ShownAsync(id, escalated.Instance.Sequence);
        Assert.Equal(2, Assert.Single(Latest(id).Items).EscalationLevel);
        await durable.RaiseAndWaitAsync(id, new HumanEvent("report", HumanEventType.Done, "ann.worker"));
        await durable.WaitForCompletionAsync(id);

        // Start, L1, L2, done: the reminders in between (at least two) change nothing anyone waits on.
        var snapshots = durable.Work.Received(id);
        Assert.True(durable.Notifications.For(id).Count(n => n.Action.Type == CoordinationActionType.Reminder) >= 2);
        Assert.Equal([0, 1, 2], snapshots.Where(w => !w.Completed).Select(w => Assert.Single(w.Items).EscalationLevel));
        var contents = snapshots.Select(w => JsonSerializer.Serialize(w with { Version = 0 })).ToArray();
        Assert.Equal(contents.Distinct(), contents);
    }
}

/// <summary>When instances project their open work: new ones at every changing turn; older ones from their next generation on (never in a replayed one).</summary>
public sealed class WorkProjectionGenerationTests
{
    private const string InstanceId = "silent-step-1";
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static CoordinatorInput Carried(bool projects, bool projectFirst = false)
    {
        var definition = TestWorkflows.SilentStep;
        var started = CoordinationEngine.Start(definition, TestWorkflows.NoContext, Start);
        return CoordinatorInput.Create(definition, TestWorkflows.NoContext, timeScale: 1, requestedAt: Start) with
        {
            ProjectsWork = projects,
            TurnsPerGeneration = 1,
            CarryOver = new CoordinatorCarryOver(started.State, new CoordinatorProgress(Start, Turns: 1, ActionCount: started.Actions.Count))
            {
                ProjectWorkFirst = projectFirst,
            },
        };
    }

    private static HumanEvent Blocked(DateTimeOffset acceptedAt) =>
        new HumanEvent("report", HumanEventType.Blocked, "ann.worker", Reason: "waiting on finance") { AcceptedAt = acceptedAt, EventId = "e-1" };

    [Fact]
    public async Task OlderInstance_WithoutTheFlag_ProjectsNothingAndItsNextGenerationProjectsFirst()
    {
        var context = new ScriptedContext(InstanceId, Start.AddMinutes(30), Blocked(Start.AddMinutes(30)));

        await context.Run(Carried(projects: false));

        Assert.DoesNotContain(context.Calls, c => c.Name == nameof(ProjectWork));
        Assert.Contains(context.Calls, c => c.Name == nameof(NotifyPeople));
        var next = Assert.IsType<CoordinatorInput>(context.ContinuedWith);
        Assert.True(next.ProjectsWork);
        Assert.True(next.CarryOver!.ProjectWorkFirst);
    }

    [Fact]
    public async Task Generation_ProjectWorkFirst_ProjectsTheCarriedStateBeforeAnyTurn()
    {
        var carried = Carried(projects: true, projectFirst: true);
        var context = new ScriptedContext(InstanceId, Start.AddMinutes(30));

        await context.Run(carried);

        var first = context.Calls[0];
        Assert.Equal(nameof(ProjectWork), first.Name);
        var work = ((ProjectWorkRequest)first.Request!).Work;
        Assert.Equal(carried.CarryOver!.State.Sequence, work.Version);
        Assert.Equal("ann.worker", Assert.Single(work.Items).PersonId);
        Assert.Single(context.Calls, c => c.Name == nameof(ProjectWork));
        Assert.False(context.ContinuedWith!.CarryOver!.ProjectWorkFirst);
    }

    [Fact]
    public async Task Turn_ThatChangesTheWork_ProjectsItsStateUnderItsLastActionNumberAfterTheAuditAndTheStatus()
    {
        var carried = Carried(projects: true);
        var context = new ScriptedContext(InstanceId, Start.AddMinutes(30), Blocked(Start.AddMinutes(30)));

        await context.Run(carried);

        var projection = Assert.Single(context.Calls, c => c.Name == nameof(ProjectWork));
        var work = ((ProjectWorkRequest)projection.Request!).Work;
        Assert.Equal(carried.CarryOver!.State.Sequence + 2, work.Version); // step.blocked, decision.requested
        Assert.Equal($"{InstanceId}:work/{work.Version}", ((ProjectWorkRequest)projection.Request!).IdempotencyKey);
        Assert.Contains(work.Items, i => i.Kind == WorkKind.Block && i.PersonId == "pat.owner");
        Assert.True(context.Calls.FindIndex(c => c.Name == nameof(ProjectWork)) > context.Calls.FindLastIndex(c => c.Name == nameof(NotifyPeople)));
        Assert.Equal(work.Version, context.LastStatus!.WorkProjectedThrough);
    }
}

/// <summary>A projection whose store is away: the work lists lag, the status says how far they are, and the durable retry catches them up.</summary>
public sealed class WorkProjectionOutageTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Projection_FailingItsAttempts_StatusStaysBehindUntilTheDurableRetryWritesIt()
    {
        var definition = TestWorkflows.SilentStep;
        var started = CoordinationEngine.Start(definition, TestWorkflows.NoContext, Start);
        var input = CoordinatorInput.Create(definition, TestWorkflows.NoContext, timeScale: 1, requestedAt: Start) with
        {
            CarryOver = new CoordinatorCarryOver(started.State, new CoordinatorProgress(Start, Turns: 1, ActionCount: started.Actions.Count))
            {
                WorkProjectedThrough = started.State.Sequence,
            },
        };
        var statuses = new List<long?>();
        var context = new ScriptedContext("silent-step-1", Start.AddMinutes(30),
            new HumanEvent("report", HumanEventType.Blocked, "ann.worker", Reason: "waiting on finance") { AcceptedAt = Start.AddMinutes(30), EventId = "e-1" })
        {
            Fails = static (name, _, before) => name == nameof(ProjectWork) && before == 0,
            FiresTimer = at => at <= Start.AddMinutes(31),
        };
        context.OnStatus = status => statuses.Add(status.WorkProjectedThrough);

        // It runs until it waits for the next event or timer (no timer after the retry fires here).
        var run = context.Run(input);

        Assert.False(run.IsFaulted, run.Exception?.ToString());
        var projections = context.Calls.Where(c => c.Name == nameof(ProjectWork)).Select(c => ((ProjectWorkRequest)c.Request!).Work.Version).ToArray();
        var blockedAt = started.State.Sequence + 2;
        Assert.Equal([blockedAt, blockedAt], projections);
        Assert.Contains(started.State.Sequence, statuses); // while the projection failed: behind, and said so
        Assert.Equal(blockedAt, context.LastStatus!.WorkProjectedThrough);
        var audit = context.Calls.Where(c => c.Name == nameof(AppendAuditEntries)).SelectMany(c => ((AppendAuditEntriesRequest)c.Request!).Entries).ToArray();
        Assert.Single(audit, e => e.Action == SideEffectPlanner.EffectFailed && e.Detail!.Value.GetProperty("effect").GetString() == EffectKinds.Work);
        Assert.Single(audit, e => e.Action == SideEffectPlanner.EffectRecovered && e.Detail!.Value.GetProperty("effect").GetString() == EffectKinds.Work);
    }
}

/// <summary>An instance that fails (a bug) leaves people's work lists: nobody waits on it any more.</summary>
public sealed class WorkWithdrawalTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Instance_ThatFailsMidTurn_ProjectsItselfEndedUnderAFinalVersionAndStillFails()
    {
        var context = new ScriptedContext("silent-step-1", Start);
        context.OnStatus = _ => throw new InvalidOperationException("a bug in publishing the status");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => context.Run(
            CoordinatorInput.Create(TestWorkflows.SilentStep, TestWorkflows.NoContext, timeScale: 1, requestedAt: Start)));

        Assert.Equal("a bug in publishing the status", error.Message);
        var last = context.Calls[^1];
        Assert.Equal(nameof(ProjectWork), last.Name);
        var work = ((ProjectWorkRequest)last.Request!).Work;
        Assert.Equal((long.MaxValue, true), (work.Version, work.Completed));
        Assert.Empty(work.Items);
        Assert.Empty(work.People);
    }
}

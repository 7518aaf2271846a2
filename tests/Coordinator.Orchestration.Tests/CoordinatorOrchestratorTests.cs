using System.Text.Json;
using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Coordinator.Orchestration.Tests.Support;

namespace Coordinator.Orchestration.Tests;

/// <summary>The orchestrator on a real Durable Task host (in-memory backend, real replay), with recording ports.</summary>
[Collection(DurableCollection.Name)]
public sealed class CoordinatorOrchestratorTests(DurableHostFixture fixture) : IAsyncLifetime
{
    private readonly InstanceTracker durable = new(fixture);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => durable.DisposeAsync();

    private static HumanEvent Done(string step, string by = "ann.worker") => new(step, HumanEventType.Done, by);

    private static StepStatus StatusOf(CoordinatorStatus status, string step) => status.Instance.FindStep(step)!.Status;

    private IReadOnlyList<string> AuditedActions(string instanceId) =>
        [.. durable.Audit.For(instanceId).Select(e => e.StepId is null ? e.Action : $"{e.Action} {e.StepId}")];

    [Fact]
    public async Task RunAsync_ParallelBranchAndJoin_ActivatesBothBranchesAndCompletesAfterTheJoin()
    {
        var id = await durable.StartAsync(TestWorkflows.ParallelJoin, TestWorkflows.NoContext, TestWorkflows.TimeScale);

        await durable.WaitForStatusAsync(id, s => StatusOf(s, "intake") == StepStatus.Active, "intake active");
        var afterIntake = await durable.RaiseAndWaitAsync(id, Done("intake"));
        Assert.Equal(StepStatus.Active, StatusOf(afterIntake, "left"));
        Assert.Equal(StepStatus.Active, StatusOf(afterIntake, "right"));
        Assert.Equal(StepStatus.Pending, StatusOf(afterIntake, "join"));

        var afterLeft = await durable.RaiseAndWaitAsync(id, Done("left"));
        Assert.Equal(StepStatus.Pending, StatusOf(afterLeft, "join"));
        var afterRight = await durable.RaiseAndWaitAsync(id, Done("right"));
        Assert.Equal(StepStatus.Active, StatusOf(afterRight, "join"));
        await durable.RaiseAndWaitAsync(id, Done("join"));

        var result = await durable.WaitForCompletionAsync(id);
        Assert.Equal(["intake", "left", "right", "join"], result.CompletedSteps);
        Assert.Empty(result.SkippedSteps);
        Assert.Equal(
            [
                "instance.started", "step.activated intake",
                "step.completed intake", "step.activated left", "step.activated right",
                "step.completed left",
                "step.completed right", "step.activated join",
                "step.completed join", "instance.completed",
            ],
            AuditedActions(id));
    }

    [Fact]
    public async Task RunAsync_SilentStep_RemindsTheOwnerAndEscalatesLevelByLevel()
    {
        var id = await durable.StartAsync(TestWorkflows.SilentStep, TestWorkflows.NoContext, TestWorkflows.TimeScale);

        await durable.WaitForStatusAsync(id, s => s.Instance.FindStep("report")!.EscalationsFired == 2, "escalation level 2 on report");
        await durable.RaiseAndWaitAsync(id, Done("report"));
        var result = await durable.WaitForCompletionAsync(id);

        var sent = durable.Notifications.For(id)
            .Select(n => $"{n.Action.Type.WireName()}{(n.Action.Level is { } l ? $" L{l}" : "")} +{Durations.Format(n.Action.At - result.StartedAt)} -> {string.Join(",", n.Recipients)}")
            .ToList();
        Assert.Equal(
            [
                "instance.started +0m -> pat.owner",
                "step.activated +0m -> ann.worker",
                "reminder +2h -> ann.worker",
                "escalation L1 +3h -> lee.lead",
                "reminder +4h -> ann.worker",
                "escalation L2 +4h -> pat.owner",
            ],
            sent.Take(6));
        Assert.Equal("instance.completed", sent[^1].Split(' ')[0]);
        Assert.All(sent.Skip(6).SkipLast(1), n => Assert.StartsWith("reminder", n, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_BlockedStep_RequestsADecisionAndResumesAfterDecide()
    {
        var id = await durable.StartAsync(TestWorkflows.Blockable, TestWorkflows.NoContext, TestWorkflows.TimeScale);
        await durable.WaitForStatusAsync(id, s => StatusOf(s, "setup") == StepStatus.Active, "setup active");

        var blocked = await durable.RaiseAndWaitAsync(id, new HumanEvent("setup", HumanEventType.Blocked, "ann.worker", Reason: "customer IdP undecided"));
        var setup = blocked.Instance.FindStep("setup")!;
        Assert.Equal(StepStatus.Blocked, setup.Status);
        Assert.Equal("customer IdP undecided", setup.BlockReason);
        var request = Assert.Single(durable.Notifications.For(id), n => n.Action.Type == CoordinationActionType.DecisionRequested);
        Assert.Equal(["pat.owner"], request.Recipients);
        Assert.Equal(["wait", "workaround"], request.Action.Options!.Select(o => o.Id));
        var blockNotice = Assert.Single(durable.Notifications.For(id), n => n.Action.Type == CoordinationActionType.StepBlocked);
        Assert.Equal(["lee.lead"], blockNotice.Recipients);
        // Stored through the standalone host's converter: the status of a blocked step (many optional members unset) holds no nulls.
        var stored = await durable.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
        Assert.DoesNotContain(":null", stored!.SerializedCustomStatus, StringComparison.Ordinal);

        var resumed = await durable.RaiseAndWaitAsync(id, new HumanEvent("setup", HumanEventType.Decide, "pat.owner", Option: "wait"));
        setup = resumed.Instance.FindStep("setup")!;
        Assert.Equal(StepStatus.Active, setup.Status);
        Assert.Equal(setup.ActivatedAt + TimeSpan.FromHours(12), setup.DueAt);

        await durable.RaiseAndWaitAsync(id, Done("setup"));
        await durable.WaitForCompletionAsync(id);
        Assert.Equal(
            ["instance.started", "step.activated setup", "step.blocked setup", "decision.requested setup", "decision.made setup", "step.completed setup", "instance.completed"],
            AuditedActions(id));
        Assert.Equal(["step.blocked", "decision.made"], durable.Memory.For(id).Select(m => m.Kind));
    }

    [Fact]
    public async Task RunAsync_DecisionWithConditionalSteps_ActivatesTheChosenBranchAndSkipsTheOther()
    {
        var context = new Dictionary<string, string> { ["ticket"] = "T-7" };
        var id = await durable.StartAsync(TestWorkflows.Routed, context, TestWorkflows.TimeScale);
        await durable.WaitForStatusAsync(id, s => StatusOf(s, "review") == StepStatus.Active, "review active");

        var decided = await durable.RaiseAndWaitAsync(id, new HumanEvent("review", HumanEventType.Decide, "pat.owner", Option: "approve"));
        Assert.Equal(StepStatus.Done, StatusOf(decided, "review"));
        Assert.Equal("approve", decided.Instance.FindStep("review")!.Outcome);
        Assert.Equal(StepStatus.Active, StatusOf(decided, "ship"));
        Assert.Equal(StepStatus.Skipped, StatusOf(decided, "rework"));

        await durable.RaiseAndWaitAsync(id, Done("ship"));
        var result = await durable.WaitForCompletionAsync(id);
        Assert.Equal(["review", "ship"], result.CompletedSteps);
        Assert.Equal(["rework"], result.SkippedSteps);
        Assert.Equal("T-7", result.BusinessKey);
        var crm = durable.Crm.For(id);
        Assert.All(crm, u => Assert.Equal("T-7", u.BusinessKey));
        Assert.Equal(
            ["instance.started", "step.activated review", "decision.made review", "step.completed review", "step.activated ship", "step.skipped rework", "step.completed ship", "instance.completed"],
            crm.Select(u => u.StepId is null ? u.Change : $"{u.Change} {u.StepId}"));
    }

    [Fact]
    public async Task RunAsync_EventsOnInactiveOrUnknownSteps_AreRejectedAndTheInstanceStillCompletes()
    {
        var id = await durable.StartAsync(TestWorkflows.ParallelJoin, TestWorkflows.NoContext, TestWorkflows.TimeScale);
        var before = await durable.WaitForStatusAsync(id, s => StatusOf(s, "intake") == StepStatus.Active, "intake active");

        await durable.Client.RaiseEventAsync(id, CoordinatorEvents.HumanEvent, eventPayload: null);
        var afterEmpty = await durable.WaitForStatusAsync(id, s => s.Progress.Turns > before.Progress.Turns, "the empty event handled");
        Assert.Equal(0, afterEmpty.Progress.EventsProcessed);

        HumanEvent[] bad =
        [
            Done("join"),
            Done("no-such-step"),
            new("intake", HumanEventType.Decide, "ann.worker", Option: "anything"),
            Done("intake", by: "mallory"),
        ];
        CoordinatorStatus after = before;
        foreach (var e in bad)
            after = await durable.RaiseAndWaitAsync(id, e);

        Assert.Equal(4, after.Progress.EventsRejected);
        Assert.Equal(
            before.Instance.Steps.Select(s => (s.StepId, s.Status, s.LastActivityAt)),
            after.Instance.Steps.Select(s => (s.StepId, s.Status, s.LastActivityAt)));
        var rejections = durable.Audit.For(id).Where(e => e.Action == "event.rejected").ToList();
        Assert.Equal(4, rejections.Count);
        Assert.All(rejections, e => Assert.False(string.IsNullOrWhiteSpace(e.Detail!.Value.GetProperty("reason").GetString())));
        Assert.Equal("mallory", rejections[^1].Actor);

        foreach (var step in new[] { "intake", "left", "right", "join" })
            await durable.RaiseAndWaitAsync(id, Done(step));
        var result = await durable.WaitForCompletionAsync(id);
        Assert.Equal(["intake", "left", "right", "join"], result.CompletedSteps);
        Assert.Equal(8, result.EventsProcessed);
        Assert.Equal(4, result.EventsRejected);
    }

    [Fact]
    public async Task RunAsync_ManyReplayedTurns_AuditsAndNotifiesEachActionExactlyOnce()
    {
        var id = await durable.StartAsync(TestWorkflows.SilentStep, TestWorkflows.NoContext, TestWorkflows.TimeScale);
        await durable.WaitForStatusAsync(id, s => s.Instance.FindStep("report")!.RemindersSent >= 3, "three reminders on report");
        await durable.RaiseAndWaitAsync(id, new HumanEvent("report", HumanEventType.Progress, "ann.worker", Text: "half done"));
        await durable.RaiseAndWaitAsync(id, Done("report"));
        var result = await durable.WaitForCompletionAsync(id);

        var auditAttempts = durable.Audit.Entries.AttemptsWithPrefix(id + ":");
        Assert.Equal(result.ActionCount, auditAttempts.Count);
        Assert.All(auditAttempts, pair => Assert.Equal(1, pair.Value));
        var sequences = durable.Audit.For(id).Select(e => e.Detail!.Value.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, (int)result.ActionCount).Select(i => (long)i), sequences);
        Assert.All(durable.Notifications.Sent.AttemptsWithPrefix(id + ":"), pair => Assert.Equal(1, pair.Value));
        Assert.True(result.Turns > 5, $"expected many turns (and replays), got {result.Turns}");
    }

    [Fact]
    public async Task RunAsync_LowContinueAsNewThreshold_CarriesStateAndEventsAcrossGenerations()
    {
        var id = await durable.StartAsync(TestWorkflows.ParallelJoinWithSummary, TestWorkflows.NoContext, TestWorkflows.TimeScale, turnsPerGeneration: 2);
        await durable.WaitForStatusAsync(id, s => s.Instance.SummariesSent >= 3, "three summaries");
        await durable.RaiseAndWaitAsync(id, Done("intake"));

        // Back to back, without waiting: the second event may arrive while the orchestration continues as new.
        await durable.Client.RaiseEventAsync(id, CoordinatorEvents.HumanEvent, Done("left"));
        await durable.Client.RaiseEventAsync(id, CoordinatorEvents.HumanEvent, Done("right"));
        await durable.WaitForStatusAsync(id, s => StatusOf(s, "join") == StepStatus.Active, "join active");
        await durable.RaiseAndWaitAsync(id, Done("join"));

        var result = await durable.WaitForCompletionAsync(id);
        Assert.True(result.Generations > 3, $"expected several generations, got {result.Generations}");
        Assert.Equal(4, result.EventsProcessed);
        Assert.Equal(0, result.EventsRejected);
        Assert.Equal(["intake", "left", "right", "join"], result.CompletedSteps);
        var sequences = durable.Audit.For(id).Select(e => e.Detail!.Value.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, (int)result.ActionCount).Select(i => (long)i), sequences);
        Assert.All(durable.Audit.Entries.AttemptsWithPrefix(id + ":"), pair => Assert.Equal(1, pair.Value));
    }

    [Fact]
    public async Task RunAsync_FlakyNotificationChannel_RetriesAndDeliversEachNotificationOnce()
    {
        var id = $"flaky-{Guid.NewGuid():N}";
        durable.Notifications.FailNext(id, 3);
        await durable.StartAsync(TestWorkflows.ParallelJoin, TestWorkflows.NoContext, TestWorkflows.TimeScale, instanceId: id);
        await durable.WaitForStatusAsync(id, s => StatusOf(s, "intake") == StepStatus.Active, "intake active");
        foreach (var step in new[] { "intake", "left", "right", "join" })
            await durable.RaiseAndWaitAsync(id, Done(step));
        await durable.WaitForCompletionAsync(id);

        Assert.Equal(3, durable.Notifications.FailuresInjectedFor(id));
        var delivered = durable.Notifications.For(id);
        Assert.Contains(delivered, n => n.Action.Type == CoordinationActionType.InstanceStarted);
        Assert.All(durable.Notifications.Sent.AttemptsWithPrefix(id + ":"), pair => Assert.Equal(1, pair.Value));
    }

    [Fact]
    public async Task RunAsync_GenerationStartingTenDaysLate_FoldsMissedRemindersAndSummariesAndFiresTheEscalation()
    {
        // The next generation's first turn is days more than the grace late, so it folds.
        var (id, start) = await StartGenerationTenDaysLateAsync(foldLateTimers: true);
        var status = await durable.WaitForStatusAsync(id, static s => s.Instance.FindStep("report")!.RemindersSent >= 1, "the first timer turn after the outage");

        Assert.Equal(
            [
                (CoordinationActionType.Escalation, start + TimeSpan.FromDays(2), "no activity for 2d", "lee.lead"),
                (CoordinationActionType.Summary, start + TimeSpan.FromDays(9), "summary 1: 1 running step(s) (sent late: 2 earlier summaries folded into this one)", "pat.owner"),
                (CoordinationActionType.Reminder, start + TimeSpan.FromDays(10), "overdue by 1w2d (sent late: 9 earlier reminders folded into this one)", "ann.worker"),
            ],
            durable.Notifications.For(id).Select(n => (n.Action.Type, n.Action.At, n.Action.Reason, string.Join(",", n.Recipients))));
        Assert.Equal(1, status.Instance.FindStep("report")!.RemindersSent);
        Assert.Equal(1, status.Instance.SummariesSent);
        Assert.Equal(start + TimeSpan.FromDays(11), status.NextWakeUp);
    }

    [Fact]
    public async Task RunAsync_InstanceStartedBeforeFoldingExisted_SendsEveryMissedReminderAsItDidThen()
    {
        // An input without FoldLateTimers (as stored by a version without folding, hence also without
        // deterministic turns): the late first turn of the next generation must decide as that
        // version did, or its replay would diverge.
        var (id, start) = await StartGenerationTenDaysLateAsync(foldLateTimers: false);
        var status = await durable.WaitForStatusAsync(id, static s => s.Progress.Turns >= 2, "the first turn after the outage");

        var reminders = durable.Notifications.For(id).Where(n => n.Action.Type == CoordinationActionType.Reminder).ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(day => start + TimeSpan.FromDays(day)), reminders.Select(r => r.Action.At));
        Assert.DoesNotContain(reminders, r => r.Action.Reason!.Contains("folded", StringComparison.Ordinal));
        Assert.Equal(10, status.Instance.FindStep("report")!.RemindersSent);
        Assert.Equal(3, status.Instance.SummariesSent);
    }

    /// <summary>
    /// Starts the next generation of a real-time instance whose previous one ended ten and a half days
    /// ago, before the host went down: its state still waits for the first reminder (start + 1d).
    /// </summary>
    private async Task<(string Id, DateTimeOffset Start)> StartGenerationTenDaysLateAsync(bool foldLateTimers)
    {
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero) - TimeSpan.FromDays(10.5);
        var first = CoordinationEngine.Start(TestWorkflows.DailyReminders, TestWorkflows.NoContext, start);
        var input = CoordinatorInput.Create(TestWorkflows.DailyReminders, TestWorkflows.NoContext) with
        {
            Retry = DurableHostFixture.FastRetry,
            CarryOver = new CoordinatorCarryOver(first.State, new CoordinatorProgress(start, Turns: 1, ActionCount: first.Actions.Count)),
            FoldLateTimers = foldLateTimers,
            DeterministicTurns = foldLateTimers,
        };
        return (await durable.StartAsync(input), start);
    }
}

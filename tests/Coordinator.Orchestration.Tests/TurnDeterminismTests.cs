using Coordinator.Core.Engine;
using Coordinator.Hosting.SideEffects;
using Coordinator.Orchestration.Activities;
using Coordinator.Orchestration.Tests.Support;

namespace Coordinator.Orchestration.Tests;

/// <summary>
/// Durable is at-least-once: an episode that was executed (and whose activities ran) can be executed
/// again after a crash or a lost lease, later and with more events waiting. These tests execute the
/// same episode twice on a mocked context and require that both executions schedule the same
/// activities with the same idempotency keys, so the second one is a no-op.
/// </summary>
public sealed class TurnDeterminismTests
{
    private const string InstanceId = "silent-step-1";

    // SilentStep: due 4h, reminder 2h before due, overdue hourly, escalation after 3h of silence.
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task EventTurn_ReexecutedWithALaterClock_SchedulesTheSameActivities()
    {
        var progress = Progress("first draft", acceptedAt: Start.AddMinutes(30));
        var first = await ExecuteAsync(Start.AddMinutes(30).AddSeconds(1), progress);

        // The lease was lost and the episode runs again hours later: a reminder (2h) and an
        // escalation (3h of silence) are due by this clock, yet the event happened at 09:30.
        var again = await ExecuteAsync(Start.AddHours(3).AddMinutes(30), progress);

        Assert.Contains(first, line => line.Contains(":step.progress", StringComparison.Ordinal));
        Assert.Equal(first, again);
    }

    [Fact]
    public async Task EventTurn_ReexecutedWithASecondEventWaiting_SchedulesTheSameActivitiesFirst()
    {
        var note = Progress("first draft", acceptedAt: Start.AddMinutes(30));
        var done = Done(acceptedAt: Start.AddMinutes(40));
        var first = await ExecuteAsync(Start.AddMinutes(30).AddSeconds(1), note);
        var again = await ExecuteAsync(Start.AddMinutes(41), note, done);

        Assert.True(again.Count > first.Count, "the second event's turn was not performed");
        Assert.Equal(first, again.Take(first.Count));
        Assert.Contains(again.Skip(first.Count), line => line.Contains(":step.completed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EventTurn_ReexecutedWithTheEventsDeliveredInAnotherOrder_TakesTheEarliestAcceptedFirst()
    {
        // After a crash the backend delivers the two notes the other way round (the one the lost
        // execution took was still invisible); the turn must take the same note as before.
        var earlier = Progress("first draft", acceptedAt: Start.AddMinutes(30));
        var later = Progress("second draft", acceptedAt: Start.AddMinutes(31));
        var first = await ExecuteAsync(Start.AddMinutes(32), earlier, later);
        var again = await ExecuteAsync(Start.AddMinutes(45), later, earlier);

        Assert.Equal(first, again);
        var notes = first.Where(line => line.StartsWith("audit ", StringComparison.Ordinal) && line.Contains(":step.progress", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, notes.Length);
        Assert.Contains(Start.AddMinutes(30).ToString("o", System.Globalization.CultureInfo.InvariantCulture), notes[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventTurn_OfAnInstanceStartedBeforeDeterministicTurns_DependsOnTheClock()
    {
        // The contrast that shows what the tests above would catch: the old rules apply an event at
        // the orchestration's clock, so a later re-execution decides differently (a fork).
        var progress = Progress("first draft", acceptedAt: Start.AddMinutes(30));
        var first = await ExecuteAsync(Start.AddMinutes(30).AddSeconds(1), progress, legacy: true);
        var again = await ExecuteAsync(Start.AddHours(3).AddMinutes(30), progress, legacy: true);

        Assert.NotEqual(first, again);
    }

    [Fact]
    public async Task TimerTurn_ReexecutedLaterThanItFired_AdvancesToTheTimersOwnDueTime()
    {
        // The timer for the reminder (11:00) is planned on time; its turn then runs once at 11:00:01
        // and again, after a crash, at 12:10 (past the 12:00 escalation).
        var first = await ExecuteTimerTurnAsync(firedAt: Start.AddHours(2).AddSeconds(1));
        var again = await ExecuteTimerTurnAsync(firedAt: Start.AddHours(3).AddMinutes(10));

        Assert.Single(first, line => line.StartsWith("audit ", StringComparison.Ordinal) && line.Contains(":reminder", StringComparison.Ordinal));
        Assert.DoesNotContain(first, line => line.Contains(":escalation", StringComparison.Ordinal));
        Assert.Equal(first, again);
    }

    [Fact]
    public async Task Turn_AuditStoreDown_WaitsOnDoublingDurableTimersThenAuditsBeforeAnyNotification()
    {
        var context = new ScriptedContext(InstanceId, Start.AddMinutes(30), Progress("first draft", Start.AddMinutes(30)))
        {
            Fails = static (name, _, before) => name == nameof(AppendAuditEntries) && before < 4,
            FiresTimer = at => at < Start.AddHours(1),
        };
        var waits = new List<WaitingFor?>();
        var outcomesWhileWaiting = new List<int>();
        context.OnTimer = (_, _) =>
        {
            waits.Add(context.LastStatus?.WaitingFor);
            outcomesWhileWaiting.Add(context.LastStatus?.RecentEvents?.Count ?? 0);
        };

        var run = context.Run(CarriedInput());

        Assert.False(run.IsCompleted, "the instance ended instead of waiting for the audit store");
        Assert.Equal(5, context.Calls.Count(c => c.Name == nameof(AppendAuditEntries) && IsEventBatch(c.Request)));
        var retryDelays = context.Timers.Take(4).Select(t => t - Start.AddMinutes(30)).ToArray();
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)], retryDelays);
        Assert.All(waits.Take(4), w => Assert.Equal("audit", w!.Store));
        Assert.Equal(4, waits[3]!.Attempts);
        Assert.Contains("connection refused", waits[3]!.LastError, StringComparison.Ordinal);
        Assert.Null(context.LastStatus!.WaitingFor);
        // "Applied" is said only once the registry holds the event: not while the audit store is away.
        Assert.All(outcomesWhileWaiting.Take(4), count => Assert.Equal(0, count));
        Assert.True(Assert.Single(context.LastStatus.RecentEvents!).Applied);

        // No effect of the turn went out before its audit batch was in.
        var firstEffect = context.Calls.FindIndex(c => c.Name != nameof(AppendAuditEntries));
        var lastAuditAttempt = context.Calls.FindLastIndex(c => c.Name == nameof(AppendAuditEntries) && IsEventBatch(c.Request));
        Assert.True(firstEffect > lastAuditAttempt, string.Join(", ", context.Calls.Select(c => c.Name)));
    }

    [Fact]
    public async Task Turn_NotificationFailsItsAttempts_InstanceGoesOnAndTheEffectIsRetriedDurablyUnderItsKey()
    {
        var context = new ScriptedContext(InstanceId, Start.AddMinutes(30), Blocked("waiting on finance", Start.AddMinutes(30)))
        {
            // The notification fails its in-turn attempts, then succeeds on the durable retry a minute later.
            Fails = static (name, _, before) => name == nameof(NotifyPeople) && before == 0,
            FiresTimer = at => at <= Start.AddMinutes(31),
        };

        var run = context.Run(CarriedInput());

        Assert.False(run.IsFaulted, run.Exception?.ToString());
        var notifications = context.Calls.Where(c => c.Name == nameof(NotifyPeople)).Select(c => ((NotifyPeopleRequest)c.Request!).Notification.IdempotencyKey).ToArray();
        // The failed one is sent again under its own key, once; the others are not repeated.
        Assert.Equal(2, notifications.Count(k => k == notifications[0]));
        Assert.All(notifications.Skip(1).Where(k => k != notifications[0]), k => Assert.Single(notifications, n => n == k));
        var audit = context.Calls.Where(c => c.Name == nameof(AppendAuditEntries)).SelectMany(c => ((AppendAuditEntriesRequest)c.Request!).Entries).ToArray();
        var failed = Assert.Single(audit, e => e.Action == SideEffectPlanner.EffectFailed);
        Assert.Equal(Core.Ports.AuditVerdict.Warn, failed.Verdict);
        Assert.Contains("connection refused", failed.Detail!.Value.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(60, failed.Detail!.Value.GetProperty("retryInSeconds").GetInt64());
        Assert.Single(audit, e => e.Action == SideEffectPlanner.EffectRecovered && e.IdempotencyKey.StartsWith(notifications[0], StringComparison.Ordinal));
        Assert.Equal(0, context.LastStatus!.PendingEffectCount);
        Assert.Contains(context.Timers, t => t == Start.AddMinutes(31));
    }

    [Fact]
    public async Task Turn_NotificationStillFailing_StatusListsThePendingEffect()
    {
        var context = new ScriptedContext(InstanceId, Start.AddMinutes(30), Blocked("waiting on finance", Start.AddMinutes(30)))
        {
            Fails = static (name, _, _) => name == nameof(NotifyPeople),
        };

        var run = context.Run(CarriedInput());

        Assert.False(run.IsCompleted);
        var status = context.LastStatus!;
        var keys = context.Calls.Where(c => c.Name == nameof(NotifyPeople)).Select(c => ((NotifyPeopleRequest)c.Request!).Notification.IdempotencyKey).Distinct().ToArray();
        Assert.NotEmpty(keys);
        Assert.Equal(keys.Length, status.PendingEffectCount);
        Assert.Equal(keys, status.PendingEffects!.Select(p => p.IdempotencyKey));
        Assert.All(status.PendingEffects!, p => Assert.Equal((EffectKinds.Notify, Start.AddMinutes(31), 1), (p.Kind, p.NextAttemptAt, p.Failures)));
        Assert.Contains(context.Timers, t => t == Start.AddMinutes(31));
    }

    [Fact]
    public async Task Event_SentAgainWithTheSameId_IsNotAppliedTwiceAndItsFirstOutcomeStands()
    {
        var note = Progress("first draft", acceptedAt: Start.AddMinutes(40));
        var resent = note with { AcceptedAt = Start.AddMinutes(45) };
        var context = new ScriptedContext(InstanceId, Start.AddMinutes(46), note, resent);

        var run = context.Run(CarriedInput());
        await Task.Yield();

        Assert.False(run.IsFaulted, run.Exception?.ToString());
        var audit = context.Calls.Where(c => c.Name == nameof(AppendAuditEntries)).SelectMany(c => ((AppendAuditEntriesRequest)c.Request!).Entries).ToArray();
        Assert.Single(audit, e => e.Action == CoordinationActionType.StepProgress.WireName());
        Assert.DoesNotContain(audit, e => e.Action == CoordinationActionType.EventRejected.WireName());
        var outcome = Assert.Single(context.LastStatus!.RecentEvents!);
        Assert.True(outcome.Applied);
        Assert.Equal(Start.AddMinutes(40), outcome.At);
        Assert.Contains(context.Logs.Lines, l => l.Message.Contains("sent again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Event_RaisedPastTheChannelsWithANulInItsTexts_IsRejectedAndNothingOfItIsRecorded()
    {
        var poisoned = new HumanEvent("report", HumanEventType.Progress, "ann.worker", Text: "a\u0000b") { AcceptedAt = Start.AddMinutes(30), EventId = "p-1" };
        var context = new ScriptedContext(InstanceId, Start.AddMinutes(31), poisoned);

        var run = context.Run(CarriedInput());
        await Task.Yield();

        Assert.False(run.IsFaulted, run.Exception?.ToString());
        var audit = context.Calls.Where(c => c.Name == nameof(AppendAuditEntries)).SelectMany(c => ((AppendAuditEntriesRequest)c.Request!).Entries).ToArray();
        var rejected = Assert.Single(audit);
        Assert.Equal(CoordinationActionType.EventRejected.WireName(), rejected.Action);
        Assert.Contains("text contains the control character U+0000", rejected.Detail!.Value.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0000", rejected.Detail!.Value.GetRawText(), StringComparison.Ordinal);
        var outcome = Assert.Single(context.LastStatus!.RecentEvents!);
        Assert.False(outcome.Applied);
        Assert.Null(context.LastStatus.Instance.FindStep("report")!.LastActivityAt);
    }

    [Fact]
    public async Task Turn_RegistryRefusesAnActionAsAFork_NoEffectOfThatActionIsPerformed()
    {
        var context = new ScriptedContext(InstanceId, Start.AddMinutes(30), Blocked("waiting on finance", Start.AddMinutes(30)))
        {
            // Another execution's action already holds the block's number: this one is a fork.
            Supersedes = static keys => [.. keys.Where(k => k.Contains(":step.blocked:", StringComparison.Ordinal))],
        };

        var run = context.Run(CarriedInput());
        await Task.Yield();

        Assert.False(run.IsFaulted, run.Exception?.ToString());
        var notified = context.Calls.Where(c => c.Name == nameof(NotifyPeople)).Select(c => ((NotifyPeopleRequest)c.Request!).Notification.Action.Type).ToArray();
        Assert.NotEmpty(notified);
        Assert.DoesNotContain(CoordinationActionType.StepBlocked, notified);
        Assert.DoesNotContain(context.Calls, c => c.Request is RecordMemoryRequest m && m.Record.Kind == CoordinationActionType.StepBlocked.WireName());
        Assert.Contains(context.Logs.Lines, l => l.Message.Contains("refused action", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EventTurn_ReexecutedWhileTheLostExecutionsEventIsInvisible_FollowsTheRegistryAndAppliesEachEventOnce()
    {
        // The lost execution applied the first note and its audit batch went in; its history did not.
        // The re-execution is given only a later note (the first one's message is invisible for minutes).
        var registry = new InMemoryAuditLog();
        var first = Progress("first draft", acceptedAt: Start.AddMinutes(30));
        var second = Progress("second draft", acceptedAt: Start.AddMinutes(31));
        var lost = await ExecuteOnAsync(registry, Start.AddMinutes(30).AddSeconds(1), first);

        var again = OnRegistry(new ScriptedContext(InstanceId, Start.AddMinutes(31).AddSeconds(1), second), registry);
        var run = again.Run(CarriedInput());
        await Task.Yield();
        again.Deliver(first);

        Assert.False(run.IsFaulted, run.Exception?.ToString());
        var notes = registry.All.Where(e => e.Action == CoordinationActionType.StepProgress.WireName()).Select(e => e.Detail!.Value.GetProperty("text").GetString()!).ToArray();
        Assert.Equal(["first draft", "second draft"], notes);
        Assert.Equal(registry.All.Count(e => e.Detail?.TryGetProperty("sequence", out _) == true),
            registry.All.Where(e => e.Detail?.TryGetProperty("sequence", out _) == true).Select(e => e.Detail!.Value.GetProperty("sequence").GetInt64()).Distinct().Count());
        // The re-execution's first proposal was refused once; the first note's memory record went out under the lost execution's key.
        Assert.Single(registry.All, e => e.Action == InMemoryAuditLog.SupersededAction);
        var memory = again.Calls.Where(c => c.Request is RecordMemoryRequest).Select(c => ((RecordMemoryRequest)c.Request!).Record).ToArray();
        Assert.Equal(["first draft", "second draft"], memory.Select(m => m.Text.Split(": ")[^1]));
        Assert.Equal(lost.Single(l => l.StartsWith(nameof(RecordMemory), StringComparison.Ordinal)), $"{nameof(RecordMemory)} {memory[0].IdempotencyKey}");
        Assert.Contains(again.Logs.Lines, l => l.Message.Contains("undone and the recorded one followed", StringComparison.Ordinal));
        // Delivered at last, the first note is recognised as applied.
        Assert.Contains(again.Logs.Lines, l => l.Message.Contains("sent again", StringComparison.Ordinal));
        Assert.Equal(2, again.LastStatus!.RecentEvents!.Count(o => o.Applied));
    }

    [Fact]
    public async Task TimerTurn_ReexecutedWhereTheLostExecutionAppliedAnEvent_FollowsTheEventThenRunsTheTimerTurn()
    {
        // The lost execution applied a note accepted at 10:59; the re-execution sees the 11:00 reminder timer fire first.
        var registry = new InMemoryAuditLog();
        var note = Progress("almost there", acceptedAt: Start.AddHours(2).AddMinutes(-1));
        await ExecuteOnAsync(registry, Start.AddHours(2).AddMinutes(-1).AddSeconds(1), note);

        var again = OnRegistry(new ScriptedContext(InstanceId, Start.AddHours(2).AddSeconds(1)), registry);
        var fired = 0;
        again.FiresTimer = at => at == Start.AddHours(2) && fired++ < 2;
        var run = again.Run(CarriedInput());
        await Task.Yield();
        again.Deliver(note);

        Assert.False(run.IsFaulted, run.Exception?.ToString());
        var engineActions = registry.All.Where(e => e.Detail?.TryGetProperty("sequence", out _) == true).ToArray();
        Assert.Equal(
            [CoordinationActionType.StepProgress.WireName(), CoordinationActionType.Reminder.WireName()],
            engineActions.Select(e => e.Action));
        Assert.Equal(engineActions.Length, engineActions.Select(e => e.Detail!.Value.GetProperty("sequence").GetInt64()).Distinct().Count());
        Assert.Equal(Start.AddHours(2), engineActions[1].At);
        Assert.Single(registry.All, e => e.Action == InMemoryAuditLog.SupersededAction);
        Assert.Contains(again.Logs.Lines, l => l.Message.Contains("undone and the recorded one followed", StringComparison.Ordinal));
        Assert.Single(again.LastStatus!.RecentEvents!, o => o.Applied);
    }

    [Fact]
    public async Task Turn_HandedTheCompletionOfALostExecutionsActivity_AsksAgainForItsOwnResult()
    {
        var context = new ScriptedContext(InstanceId, Start.AddMinutes(30), Blocked("waiting on finance", Start.AddMinutes(30)))
        {
            // The first audit answer and the first notification answer belong to requests of a lost execution (same task ids).
            AnswersStale = static (name, before) => before == 0 && name is nameof(AppendAuditEntries) or nameof(NotifyPeople),
        };

        var run = context.Run(CarriedInput());
        await Task.Yield();

        Assert.False(run.IsFaulted, run.Exception?.ToString());
        var audits = context.Calls.Where(c => c.Name == nameof(AppendAuditEntries)).Select(c => (AppendAuditEntriesRequest)c.Request!).ToArray();
        Assert.Equal(2, audits.Length);
        Assert.Equal(audits[0].Fingerprint, audits[1].Fingerprint);
        Assert.Equal(audits[0].Entries, audits[1].Entries);
        var notified = context.Calls.Where(c => c.Name == nameof(NotifyPeople)).Select(c => ((NotifyPeopleRequest)c.Request!).Notification.IdempotencyKey).ToArray();
        Assert.Equal(notified.Distinct().Count() + 1, notified.Length);
        Assert.Equal(2, context.Logs.Lines.Count(l => l.Message.Contains("answered another request", StringComparison.Ordinal)));
        Assert.Equal(0, context.LastStatus!.PendingEffectCount);
    }

    [Fact]
    public async Task Turn_HandedAnotherActivitysResultItCannotRead_AsksAgainInsteadOfFailing()
    {
        // Found with two hosts on one task hub: a concurrent execution's activity under the same task id answered
        // in another activity's shape, and the data converter's JsonException failed the instance.
        var context = new ScriptedContext(InstanceId, Start.AddMinutes(30), Blocked("waiting on finance", Start.AddMinutes(30)))
        {
            AnswersUnreadable = static (name, before) => before == 0 && name is nameof(AppendAuditEntries) or nameof(NotifyPeople),
        };

        var run = context.Run(CarriedInput());
        await Task.Yield();

        Assert.False(run.IsFaulted, run.Exception?.ToString());
        var audits = context.Calls.Where(c => c.Name == nameof(AppendAuditEntries)).Select(c => (AppendAuditEntriesRequest)c.Request!).ToArray();
        Assert.Equal(2, audits.Length);
        Assert.Equal(audits[0].Entries, audits[1].Entries);
        var notified = context.Calls.Where(c => c.Name == nameof(NotifyPeople)).Select(c => ((NotifyPeopleRequest)c.Request!).Notification.IdempotencyKey).ToArray();
        Assert.Equal(notified.Distinct().Count() + 1, notified.Length);
        Assert.Equal(2, context.Logs.Lines.Count(l => l.Message.Contains("a result of another activity", StringComparison.Ordinal)));
        Assert.Equal(0, context.LastStatus!.PendingEffectCount);
    }

    [Fact]
    public async Task RunAsync_InputItCannotRun_FailsWithTheReasonAndLogsItAsAnError()
    {
        var context = new ScriptedContext(InstanceId, Start);

        var run = context.Run(CarriedInput() with { TimeScale = 0 });

        var failure = await Assert.ThrowsAsync<ArgumentException>(() => run);
        Assert.Contains("TimeScale", failure.Message, StringComparison.Ordinal);
        var logged = Assert.Single(context.Logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Contains($"Instance {InstanceId} failed: ArgumentException: TimeScale", logged.Message, StringComparison.Ordinal);
    }

    private static bool IsEventBatch(object? request) =>
        request is AppendAuditEntriesRequest audit && audit.Entries.Any(e => e.Action == CoordinationActionType.StepProgress.WireName());

    private static async Task<IReadOnlyList<string>> ExecuteAsync(DateTimeOffset clock, HumanEvent first, HumanEvent? second = null, bool legacy = false)
    {
        var context = second is null ? new ScriptedContext(InstanceId, clock, first) : new ScriptedContext(InstanceId, clock, first, second);
        var run = context.Run(CarriedInput(legacy));
        await Task.Yield();
        Assert.False(run.IsFaulted, run.Exception?.ToString());
        return context.Scheduled();
    }

    /// <summary>Answers the audit activity with the real activity over <paramref name="registry"/>.</summary>
    private static ScriptedContext OnRegistry(ScriptedContext context, InMemoryAuditLog registry)
    {
        var activity = new AppendAuditEntries(registry);
        context.Audit = (request, _) => activity.RunAsync(null!, request).GetAwaiter().GetResult();
        return context;
    }

    /// <summary>One execution on a shared registry (the one that is lost after its activities ran); what it scheduled.</summary>
    private static async Task<IReadOnlyList<string>> ExecuteOnAsync(InMemoryAuditLog registry, DateTimeOffset clock, HumanEvent humanEvent)
    {
        var context = OnRegistry(new ScriptedContext(InstanceId, clock, humanEvent), registry);
        var run = context.Run(CarriedInput());
        await Task.Yield();
        Assert.False(run.IsFaulted, run.Exception?.ToString());
        return context.Scheduled();
    }

    /// <summary>Plans the next timer at 09:01 (the episode the history keeps), then lets it fire at <paramref name="firedAt"/>.</summary>
    private static async Task<IReadOnlyList<string>> ExecuteTimerTurnAsync(DateTimeOffset firedAt)
    {
        var context = new ScriptedContext(InstanceId, Start.AddMinutes(1));
        var fired = false;
        context.FiresTimer = _ => !fired;
        context.OnTimer = (_, fires) =>
        {
            if (fires)
            {
                fired = true;
                context.Now = firedAt;
            }
        };
        var run = context.Run(CarriedInput());
        await Task.Yield();
        Assert.False(run.IsFaulted, run.Exception?.ToString());
        Assert.Equal(Start.AddHours(2), context.Timers[0]);
        return context.Scheduled();
    }

    /// <summary>A SilentStep instance at scale 1, started at 09:00 with its step active, as a later generation receives it.</summary>
    private static CoordinatorInput CarriedInput(bool legacy = false)
    {
        var definition = TestWorkflows.SilentStep;
        var started = CoordinationEngine.Start(definition, TestWorkflows.NoContext, Start);
        var input = CoordinatorInput.Create(definition, TestWorkflows.NoContext, timeScale: 1, requestedAt: Start) with
        {
            CarryOver = new CoordinatorCarryOver(started.State, new CoordinatorProgress(Start, Turns: 1, ActionCount: started.Actions.Count)),
        };
        return legacy ? input with { DeterministicTurns = false, RequestedAt = null, SideEffects = null } : input;
    }

    private static HumanEvent Progress(string text, DateTimeOffset acceptedAt) =>
        new HumanEvent("report", HumanEventType.Progress, "ann.worker", Text: text) { AcceptedAt = acceptedAt, EventId = $"e-{acceptedAt:HHmm}" };

    /// <summary>A block notifies the people who decide on it.</summary>
    private static HumanEvent Blocked(string reason, DateTimeOffset acceptedAt) =>
        new HumanEvent("report", HumanEventType.Blocked, "ann.worker", Reason: reason) { AcceptedAt = acceptedAt, EventId = $"e-{acceptedAt:HHmm}" };

    private static HumanEvent Done(DateTimeOffset acceptedAt) =>
        new HumanEvent("report", HumanEventType.Done, "ann.worker") { AcceptedAt = acceptedAt, EventId = $"e-{acceptedAt:HHmm}" };
}

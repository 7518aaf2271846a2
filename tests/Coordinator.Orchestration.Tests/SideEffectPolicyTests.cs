using System.Text.Json;
using Coordinator.Core.Engine;
using Coordinator.Orchestration.Tests.Support;

namespace Coordinator.Orchestration.Tests;

/// <summary>The side-effect policy and the bounded status on a real Durable Task host (in-memory backend, real replay).</summary>
[Collection(DurableCollection.Name)]
public sealed class SideEffectPolicyTests(DurableHostFixture fixture) : IAsyncLifetime
{
    private readonly InstanceTracker durable = new(fixture);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => durable.DisposeAsync();

    [Fact]
    public async Task RunAsync_NotificationsFailLongerThanTheirInTurnRetries_InstanceGoesOnAndEachIsDeliveredOnceLater()
    {
        var id = $"down-channel-{Guid.NewGuid():N}";
        // Two in-turn attempts per effect, durable retries 200 ms apart: the first notification fails
        // its attempts twice (4 failures) before it goes out.
        durable.Notifications.FailNext(id, 4);
        var input = CoordinatorInput.Create(TestWorkflows.ParallelJoin, TestWorkflows.NoContext, TestWorkflows.TimeScale) with
        {
            Retry = new ActivityRetrySettings(2, TimeSpan.FromMilliseconds(20), 1, TimeSpan.FromMilliseconds(20)),
            SideEffects = SideEffectPolicy.Default with { EffectRetrySchedule = [TimeSpan.FromMilliseconds(200)] },
        };
        await durable.StartAsync(input, id);
        await durable.WaitForStatusAsync(id, s => s.Instance.FindStep("intake")!.Status == StepStatus.Active, "intake active");
        foreach (var step in new[] { "intake", "left", "right", "join" })
            await durable.RaiseAndWaitAsync(id, new HumanEvent(step, HumanEventType.Done, "ann.worker"));

        var result = await durable.WaitForCompletionAsync(id);

        Assert.Equal(["intake", "left", "right", "join"], result.CompletedSteps);
        Assert.Equal(4, durable.Notifications.FailuresInjectedFor(id));
        Assert.All(durable.Notifications.Sent.AttemptsWithPrefix(id + ":"), pair => Assert.Equal(1, pair.Value));
        var audit = durable.Audit.For(id);
        static string EffectKey(Core.Ports.AuditEntry e) => e.Detail!.Value.GetProperty("effectKey").GetString()!;
        var failedKeys = audit.Where(e => e.Action == SideEffectPlanner.EffectFailed).Select(EffectKey).Distinct().ToArray();
        Assert.NotEmpty(failedKeys);
        foreach (var effectKey in failedKeys)
        {
            // Failed, retried under its own key, delivered once, and the registry says it recovered.
            Assert.Single(audit, e => e.Action == SideEffectPlanner.EffectRecovered && EffectKey(e) == effectKey);
            Assert.Single(durable.Notifications.For(id), n => n.IdempotencyKey == effectKey);
        }
        // Side-effect rows are not engine actions: the engine's numbering stays 1, 2, 3, ... without gaps.
        var sequences = audit.Where(e => e.Detail!.Value.TryGetProperty("sequence", out _)).Select(e => e.Detail!.Value.GetProperty("sequence").GetInt64());
        Assert.Equal(Enumerable.Range(1, (int)result.ActionCount).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task RunAsync_TwoThousandNotesAndALongBlockReason_CustomStatusStaysSmall()
    {
        var context = new Dictionary<string, string> { ["notes"] = new string('x', 30_000) };
        var id = await durable.StartAsync(CoordinatorInput.Create(TestWorkflows.Blockable, context, TestWorkflows.TimeScale) with
        {
            Retry = DurableHostFixture.FastRetry,
        });
        await durable.WaitForStatusAsync(id, s => s.Instance.FindStep("setup")!.Status == StepStatus.Active, "setup active");

        // 300 notes here (each a turn through the real backend); ScriptedTurns below takes 2,000.
        const int notes = 300;
        var at = DateTimeOffset.UtcNow;
        for (var i = 0; i < notes; i++)
        {
            var note = new HumanEvent("setup", HumanEventType.Progress, "ann.worker", Text: $"note {i}: " + new string('n', 3_900)) { AcceptedAt = at };
            await fixture.Client.RaiseEventAsync(id, CoordinatorEvents.HumanEvent, note);
        }
        await fixture.Client.RaiseEventAsync(id, CoordinatorEvents.HumanEvent, new HumanEvent("setup", HumanEventType.Blocked, "ann.worker", Reason: new string('r', 4_000)) { AcceptedAt = at });
        // 301 turns through Azurite: a few a second when the other test projects load the 2 cores (seen: 218 in 60 s).
        await durable.WaitForStatusAsync(id, s => s.Progress.EventsProcessed == notes + 1, "every note and the block applied", TimeSpan.FromMinutes(4));

        var metadata = await fixture.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
        var status = metadata!.ReadCustomStatusAs<CoordinatorStatus>()!;
        Assert.Equal(notes + 1, status.Progress.EventsProcessed);
        Assert.Equal(StepStatus.Blocked, status.Instance.FindStep("setup")!.Status);
        Assert.True(metadata.SerializedCustomStatus!.Length < 8 * 1024, $"the status is {metadata.SerializedCustomStatus.Length} characters");
        Assert.True(status.ContextOmitted);
        Assert.Equal(CoordinatorStatus.MaxTextLength, status.Instance.FindStep("setup")!.BlockReason!.Length);
        // The notes and the full reason are in the audit registry, not the status.
        var audit = durable.Audit.For(id);
        Assert.Equal(notes, audit.Count(e => e.Action == CoordinationActionType.StepProgress.WireName()));
        Assert.Equal(4_000, audit.Single(e => e.Action == CoordinationActionType.StepBlocked.WireName()).Detail!.Value.GetProperty("reason").GetString()!.Length);
    }

    [Fact]
    public async Task RunAsync_TwoThousandNotesOnOneStep_EveryStatusOfTheWayStaysSmall()
    {
        var definition = TestWorkflows.Blockable;
        var start = DateTimeOffset.UtcNow;
        var notes = Enumerable.Range(0, 2_000)
            .Select(i => new HumanEvent("setup", HumanEventType.Progress, "ann.worker", Text: $"note {i}: " + new string('n', 3_990)) { AcceptedAt = start.AddSeconds(i), EventId = $"n{i}" })
            .ToArray();
        var context = new ScriptedContext("blockable-notes", start, notes);
        var largest = 0;
        context.OnStatus = status => largest = Math.Max(largest, JsonSerializer.Serialize(status).Length);

        var run = context.Run(CoordinatorInput.Create(definition, TestWorkflows.NoContext, requestedAt: start) with { TurnsPerGeneration = 5_000 });
        await Task.Yield();

        Assert.False(run.IsFaulted, run.Exception?.ToString());
        Assert.Equal(2_000, context.LastStatus!.Progress.EventsProcessed);
        Assert.True(largest < 8 * 1024, $"a status was {largest} characters");
    }
}

using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using static Coordinator.Core.Tests.Engine.TestDefinitions;

namespace Coordinator.Core.Tests.Engine;

public sealed class EscalationTests
{
    private static readonly EscalationRule TwoLevels = new()
    {
        Silence = D(3),
        Levels =
        [
            new EscalationLevel { After = TimeSpan.Zero, Notify = [NotifyTargets.Lead] },
            new EscalationLevel { After = D(2), Notify = [NotifyTargets.ProcessOwner] },
        ],
    };

    [Fact]
    public void Advance_SilentStep_FiresEachLevelAtThresholdPlusItsDelay()
    {
        var d = EngineDriver.Start(Single(escalation: TwoLevels)).AdvanceTo(D(4));

        var first = Assert.Single(d.OfType(CoordinationActionType.Escalation));
        Assert.Equal((T0 + D(3), 1, "team.lead"), (first.At, first.Level!.Value, first.To.Single()));
        Assert.Equal("no activity for 3d", first.Reason);

        d.AdvanceTo(D(5));
        var second = d.OfType(CoordinationActionType.Escalation).Last();
        Assert.Equal((T0 + D(5), 2, "the.boss"), (second.At, second.Level!.Value, second.To.Single()));
    }

    [Fact]
    public void Advance_LongSilence_FiresEachLevelOnlyOncePerSilencePeriod()
    {
        var d = EngineDriver.Start(Single(escalation: TwoLevels)).AdvanceTo(D(60));

        Assert.Equal([1, 2], d.OfType(CoordinationActionType.Escalation).Select(e => e.Level!.Value));
        Assert.Null(d.NextWakeUp);
    }

    [Fact]
    public void Apply_Progress_RestartsTheSilencePeriodAndCancelsPendingLevels()
    {
        var d = EngineDriver.Start(Single(escalation: TwoLevels))
            .Apply(D(4), "work", HumanEventType.Progress, "worker.one")
            .AdvanceTo(D(9));

        Assert.Equal(
            [(T0 + D(3), 1), (T0 + D(7), 1), (T0 + D(9), 2)],
            d.OfType(CoordinationActionType.Escalation).Select(e => (e.At, e.Level!.Value)));
        Assert.Equal(T0 + D(4), d.Step("work").LastActivityAt);
    }

    [Fact]
    public void Apply_Progress_RecordsAStepProgressActionWithTheNoteAndNotifiesNobody()
    {
        var d = EngineDriver.Start(Single(escalation: TwoLevels))
            .Apply(D(1), "work", HumanEventType.Progress, "worker.one", text: "draft sent");

        var progress = Assert.Single(d.OfType(CoordinationActionType.StepProgress));
        Assert.Equal((T0 + D(1), "work", "worker.one", "draft sent"), (progress.At, progress.StepId!, progress.By!, progress.Text!));
        Assert.Empty(progress.To);
    }

    [Fact]
    public void Advance_OwnerRoleWithoutLead_EscalatesLeadToTheProcessOwner()
    {
        var definition = Single(escalation: TwoLevels) with
        {
            Roles = [Role("boss", null, "the.boss"), Role("team", null, "worker.one")],
        };

        var d = EngineDriver.Start(definition).AdvanceTo(D(3));

        Assert.Equal(["the.boss"], d.OfType(CoordinationActionType.Escalation).Single().To);
    }

    [Fact]
    public void Advance_OwnerTargetAndRoleTarget_ResolveToTheCurrentOwnerAndTheRolePeople()
    {
        var rule = new EscalationRule
        {
            Silence = D(1),
            Levels = [new EscalationLevel { After = TimeSpan.Zero, Notify = [NotifyTargets.Owner, "other", NotifyTargets.Owner] }],
        };

        var d = EngineDriver.Start(Single(escalation: rule)).AdvanceTo(D(1));

        Assert.Equal(["worker.one", "someone.else"], d.OfType(CoordinationActionType.Escalation).Single().To);
    }

    [Fact]
    public void Advance_LevelsDeclaredOutOfOrder_FireInTimeOrderWithTheirDeclaredNumbers()
    {
        var rule = new EscalationRule
        {
            Silence = D(1),
            Levels =
            [
                new EscalationLevel { After = D(2), Notify = [NotifyTargets.ProcessOwner] },
                new EscalationLevel { After = TimeSpan.Zero, Notify = [NotifyTargets.Lead] },
            ],
        };

        var d = EngineDriver.Start(Single(escalation: rule)).AdvanceTo(D(5));

        Assert.Equal([(T0 + D(1), 2), (T0 + D(3), 1)], d.OfType(CoordinationActionType.Escalation).Select(e => (e.At, e.Level!.Value)));
    }

    [Fact]
    public void Advance_EscalationWithoutLevels_NeverEscalates()
    {
        var d = EngineDriver.Start(Single(escalation: new EscalationRule { Silence = D(1), Levels = [] })).AdvanceTo(D(30));

        Assert.Empty(d.OfType(CoordinationActionType.Escalation));
    }
}

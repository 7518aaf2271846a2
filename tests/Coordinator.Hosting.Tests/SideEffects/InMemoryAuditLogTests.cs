using System.Text.Json;
using Coordinator.Core.Ports;
using Coordinator.Hosting.SideEffects;
using Coordinator.Testing;

namespace Coordinator.Hosting.Tests.SideEffects;

/// <summary>The in-memory registry keeps the fork rule of PostgreSQL's <c>audit_append()</c>.</summary>
public sealed class InMemoryAuditLogTests
{
    [Fact]
    public async Task AppendAsync_SecondActionWithTheSameActionNumber_KeepsTheFirstAndRecordsActionSupersededOnce()
    {
        var log = new InMemoryAuditLog();
        await log.AppendAsync([NumberedAuditEntries.Action("claim-1", 3, "step.blocked")]);

        var refused = await log.AppendAsync([NumberedAuditEntries.Action("claim-1", 3, "step.completed")]);
        var again = await log.AppendAsync([NumberedAuditEntries.Action("claim-1", 3, "step.blocked"), NumberedAuditEntries.Action("claim-1", 3, "step.completed")]);

        var refusedKey = NumberedAuditEntries.Action("claim-1", 3, "step.completed").IdempotencyKey;
        Assert.Equal(new AuditAppendResult(0, 0, 2, Superseded: 1) { SupersededKeys = [refusedKey] }, refused);
        Assert.Equal(new AuditAppendResult(0, 1, 2, Superseded: 1) { SupersededKeys = [refusedKey] }, again);
        Assert.Equal(["step.blocked", "action.superseded"], log.All.Select(e => e.Action));
        var supersession = log.All[1];
        Assert.Equal("claim-1/000003:step.completed:superseded", supersession.IdempotencyKey);
        Assert.Equal(AuditVerdict.Warn, supersession.Verdict);
        Assert.Equal(AuditEntry.CoordinatorActor, supersession.Actor);
        Assert.Equal("claim-1/000003:step.blocked", supersession.Detail!.Value.GetProperty("keptIdempotencyKey").GetString());
        Assert.Equal("claim-1/000003:step.completed", supersession.Detail!.Value.GetProperty("refusedIdempotencyKey").GetString());
        Assert.False(supersession.Detail!.Value.TryGetProperty("sequence", out _));
    }

    [Fact]
    public async Task AppendAsync_RecordedKeyWithOtherContent_IsRefusedAsSupersededAndAnswersWithTheKeptDetail()
    {
        var log = new InMemoryAuditLog();
        var recorded = NumberedAuditEntries.Action("claim-1", 4, "step.progress") with { Detail = JsonSerializer.SerializeToElement(new { sequence = 4, text = "first draft" }) };
        var other = recorded with { Detail = JsonSerializer.SerializeToElement(new { sequence = 4, text = "second draft" }) };
        await log.AppendAsync([recorded]);

        var result = await log.AppendAsync([other]);
        var replay = await log.AppendAsync([recorded]);

        Assert.Equal(new AuditAppendResult(0, 0, 2, Superseded: 1) { SupersededKeys = [recorded.IdempotencyKey] }, result);
        Assert.Equal("first draft", Assert.Single(result.KeptDetails).GetProperty("text").GetString());
        Assert.Equal(["step.progress", "action.superseded"], log.All.Select(e => e.Action));
        Assert.Equal("first draft", log.All[0].Detail!.Value.GetProperty("text").GetString());
        Assert.Equal(new AuditAppendResult(0, 1, 2), replay);
    }

    [Fact]
    public async Task AppendAsync_ActionRefusedInABatch_WithholdsTheInstancesLaterActions()
    {
        var log = new InMemoryAuditLog();
        await log.AppendAsync([NumberedAuditEntries.Action("claim-1", 3, "step.blocked")]);
        var refused = NumberedAuditEntries.Action("claim-1", 3, "step.completed");
        var consequence = NumberedAuditEntries.Action("claim-1", 4, "step.activated");
        var otherInstance = NumberedAuditEntries.Action("claim-2", 4, "step.activated");

        var result = await log.AppendAsync([refused, consequence, otherInstance]);

        Assert.Equal(new AuditAppendResult(1, 0, 3, Superseded: 2) { SupersededKeys = [refused.IdempotencyKey, consequence.IdempotencyKey] }, result);
        Assert.Equal(["step.blocked", "action.superseded", "step.activated"], log.All.Select(e => e.Action));
        Assert.Equal("claim-2", log.All[2].InstanceId);
    }

    [Fact]
    public async Task AppendAsync_SameNumberInAnotherInstanceOrNoNumber_IsAppended()
    {
        var log = new InMemoryAuditLog();
        await log.AppendAsync([NumberedAuditEntries.Action("claim-1", 3, "step.blocked")]);

        var result = await log.AppendAsync(
        [
            NumberedAuditEntries.Action("claim-2", 3, "step.completed"),
            NumberedAuditEntries.Action("claim-1", 3, "side_effect.failed") with { Detail = JsonSerializer.SerializeToElement(new { effect = "notify" }) },
        ]);

        Assert.Equal(new AuditAppendResult(2, 0, 3), result);
    }
}

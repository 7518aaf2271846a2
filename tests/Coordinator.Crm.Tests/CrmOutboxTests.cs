using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Crm;

namespace Coordinator.Crm.Tests;

/// <summary>The CRM outbox on real PostgreSQL: kept once, one holder per record, its updates in action order.</summary>
[Collection(CrmPostgresCollection.Name)]
public sealed class CrmOutboxTests(CrmPostgres postgres)
{
    [Fact]
    public async Task EnqueueAsync_SameKeyTwice_KeepsItOnce()
    {
        await using var db = await postgres.CreateDatabaseAsync();
        var outbox = new PostgresCrmOutbox(db);
        var update = Updates.Of(1, "instance.started", InstanceHealth.OnTrack, ["Contract"]);

        Assert.True(await outbox.EnqueueAsync(update, writesNote: false));
        Assert.False(await outbox.EnqueueAsync(update, writesNote: false));

        var claim = await outbox.ClaimAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(update, Assert.Single(claim!.Updates).Update with { Standing = update.Standing, Owners = update.Owners });
        Assert.Equal(update.Standing!.CurrentSteps, claim.Updates[0].Update.Standing!.CurrentSteps);
    }

    [Fact]
    public async Task ClaimAsync_RecordHeldByAnotherDispatcher_IsNotClaimedTwiceAndOthersAre()
    {
        await using var db = await postgres.CreateDatabaseAsync();
        var outbox = new PostgresCrmOutbox(db);
        await outbox.EnqueueAsync(Updates.Of(1, "instance.started", InstanceHealth.OnTrack, ["Contract"]), false);
        await outbox.EnqueueAsync(Updates.Of(1, "instance.started", InstanceHealth.OnTrack, ["Contract"], deal: "4712") with { IdempotencyKey = "other:1" }, false);

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => outbox.ClaimAsync(TimeSpan.FromMinutes(1))));

        Assert.Equal(["4711", "4712"], claims.OfType<CrmClaim>().Select(c => c.ObjectId).Order());
    }

    [Fact]
    public async Task ClaimAsync_UpdatesKeptOutOfOrder_ComeInActionOrder()
    {
        await using var db = await postgres.CreateDatabaseAsync();
        var outbox = new PostgresCrmOutbox(db);
        foreach (var sequence in new[] { 5L, 2L, 9L })
            await outbox.EnqueueAsync(Updates.Of(sequence, "step.activated", InstanceHealth.OnTrack, ["x"]), false);

        var claim = await outbox.ClaimAsync(TimeSpan.FromMinutes(1));

        Assert.Equal([2L, 5L, 9L], claim!.Updates.Select(u => u.Update.Sequence));
    }

    [Fact]
    public async Task RetryLaterAsync_Failure_CountsItHoldsTheRecordBackAndCompleteResetsIt()
    {
        await using var db = await postgres.CreateDatabaseAsync();
        var outbox = new PostgresCrmOutbox(db);
        await outbox.EnqueueAsync(Updates.Of(1, "step.blocked", InstanceHealth.Blocked, ["IT"]), writesNote: true);
        var first = (await outbox.ClaimAsync(TimeSpan.FromMinutes(1)))!;
        Assert.Equal(CrmNoteState.Pending, first.Updates[0].Note);

        await outbox.RetryLaterAsync(first, TimeSpan.FromMinutes(10), "HubSpot answered 503", failed: true);
        Assert.Null(await outbox.ClaimAsync(TimeSpan.FromMinutes(1)));
        Assert.True(await outbox.NextDueAsync() > DateTimeOffset.UtcNow.AddMinutes(9));

        await outbox.RetryLaterAsync(first, TimeSpan.Zero, "again", failed: true);
        var second = (await outbox.ClaimAsync(TimeSpan.FromMinutes(1)))!;
        Assert.Equal(2, second.Failures);
        Assert.NotNull(second.FirstFailedAt);

        await outbox.NoteAttemptedAsync(second.Updates[0].Id);
        await outbox.CompleteAsync(second, [second.Updates[0].Id]);
        Assert.Null(await outbox.ClaimAsync(TimeSpan.FromMinutes(1)));
        Assert.Null(await outbox.NextDueAsync());
    }

    [Fact]
    public async Task NoteAttemptedAsync_AnswerLost_TheNextClaimSaysSo()
    {
        await using var db = await postgres.CreateDatabaseAsync();
        var outbox = new PostgresCrmOutbox(db);
        await outbox.EnqueueAsync(Updates.Of(1, "decision.made", InstanceHealth.OnTrack, ["IT"]), writesNote: true);
        var claim = (await outbox.ClaimAsync(TimeSpan.FromMinutes(1)))!;

        await outbox.NoteAttemptedAsync(claim.Updates[0].Id);
        await outbox.RetryLaterAsync(claim, TimeSpan.Zero, "the connection dropped", failed: true);

        Assert.Equal(CrmNoteState.Attempted, (await outbox.ClaimAsync(TimeSpan.FromMinutes(1)))!.Updates[0].Note);
    }
}

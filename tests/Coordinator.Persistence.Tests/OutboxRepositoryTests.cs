using Coordinator.Persistence.Outbox;
using Coordinator.Persistence.Tests.Infrastructure;

namespace Coordinator.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class OutboxRepositoryTests(PostgresCluster cluster)
{
    [Fact]
    public async Task EnqueueAsync_SameKeyTwice_KeepsTheFirstRecord()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var outbox = new OutboxRepository(db.Application);

        await outbox.EnqueueAsync("claim-1/fnol/notify/1", "slack.message", """{"text": "first"}""");
        var again = await outbox.EnqueueAsync("claim-1/fnol/notify/1", "slack.message", """{"text": "second"}""");

        Assert.Equal("""{"text": "first"}""", again.Payload);
        Assert.Equal(OutboxStatus.Pending, again.Status);
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM outbox"));
    }

    [Fact]
    public async Task MarkSucceededAsync_AfterAnAttempt_RecordsResultAndLeavesPendingList()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var outbox = new OutboxRepository(db.Application);
        await outbox.EnqueueAsync("k1", "crm.update", "{}");
        await outbox.RecordAttemptAsync("k1");
        await outbox.RecordErrorAsync("k1", "HTTP 503");
        await outbox.RecordAttemptAsync("k1");

        var done = await outbox.MarkSucceededAsync("k1", """{"id": 7}""");

        Assert.Equal(OutboxStatus.Succeeded, done.Status);
        Assert.Equal(2, done.Attempts);
        Assert.Null(done.LastError);
        Assert.Equal("""{"id": 7}""", done.Result);
        Assert.NotNull(done.CompletedAt);
        Assert.Empty(await outbox.ListPendingAsync(10));
    }

    [Fact]
    public async Task RecordAttemptAsync_OnSucceededRecord_ThrowsBecauseTheEffectIsDone()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var outbox = new OutboxRepository(db.Application);
        await outbox.EnqueueAsync("k1", "crm.update", "{}");
        await outbox.MarkSucceededAsync("k1");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => outbox.RecordAttemptAsync("k1"));

        Assert.Contains("already succeeded", error.Message, StringComparison.Ordinal);
    }
}

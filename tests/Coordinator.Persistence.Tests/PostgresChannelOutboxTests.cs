using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Channels;
using Coordinator.Persistence.Tests.Infrastructure;

namespace Coordinator.Persistence.Tests;

/// <summary>The channels' outbox and token buckets against real PostgreSQL, as the application role.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresChannelOutboxTests(PostgresCluster cluster) : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private TestDatabase _database = null!;
    private PostgresChannelOutbox _outbox = null!;

    public async Task InitializeAsync()
    {
        _database = await cluster.CreateDatabaseAsync();
        _outbox = new PostgresChannelOutbox(_database.Application);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private static Notification Reminder(long sequence, params string[] to) => new()
    {
        IdempotencyKey = $"i-1:{sequence:D6}:reminder:contract",
        InstanceId = "i-1",
        WorkflowId = "b2b-onboarding",
        WorkflowTitle = "B2B customer onboarding",
        StepTitle = "Countersigned contract",
        Recipients = to,
        Action = new CoordinationAction
        {
            Type = CoordinationActionType.Reminder,
            At = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero),
            Sequence = sequence,
            Key = $"{sequence:D6}:reminder:contract",
            StepId = "contract",
            To = to,
        },
    };

    private static ChannelSendRequest Send(long sequence, string person, DateTimeOffset? notBefore = null) =>
        new(Reminder(sequence, person), person, ChannelKind.Slack, "U" + person.ToUpperInvariant(), notBefore ?? DateTimeOffset.UtcNow.AddSeconds(-1));

    [Fact]
    public async Task EnqueueAsync_SameNotificationPersonAndChannelTwice_KeepsOne()
    {
        Assert.Equal(2, await _outbox.EnqueueAsync([Send(1, "ann"), Send(1, "bob")]));
        Assert.Equal(0, await _outbox.EnqueueAsync([Send(1, "ann"), Send(1, "bob")]));
        Assert.Equal(1, await _outbox.EnqueueAsync([Send(1, "ann"), Send(2, "ann")]));

        Assert.Equal(3L, await _database.ScalarAsync<long>("SELECT count(*) FROM channel_outbox"));
    }

    [Fact]
    public async Task ClaimAsync_ManyMessagesPerRecipient_ClaimsOnlyEachRecipientsOldestInOrder()
    {
        await _outbox.EnqueueAsync([Send(1, "ann"), Send(2, "ann"), Send(3, "bob"), Send(4, "ann")]);
        var order = new List<long>();

        for (var round = 0; round < 3; round++)
        {
            var claim = await _outbox.ClaimAsync(10, Lease);
            Assert.True(claim.Sends.Select(s => s.PersonId).Distinct().Count() == claim.Sends.Count, "two messages of one recipient claimed at once");
            foreach (var send in claim.Sends)
            {
                if (send.PersonId == "ann")
                    order.Add(send.Notification.Action.Sequence);
                await _outbox.CompleteAsync(send.Id, new ChannelReceipt("ts-" + send.Id));
            }
        }

        Assert.Equal([1L, 2L, 4L], order);
        Assert.Empty((await _outbox.ClaimAsync(10, Lease)).Sends);
        Assert.Equal(4L, await _database.ScalarAsync<long>("SELECT count(*) FROM channel_outbox WHERE status = 'sent' AND provider_message_id LIKE 'ts-%'"));
    }

    [Fact]
    public async Task ClaimAsync_MessageNotYetDue_WaitsAndTellsWhenItIsDue()
    {
        var later = DateTimeOffset.UtcNow.AddHours(9);
        await _outbox.EnqueueAsync([Send(1, "ann", later)]);

        var claim = await _outbox.ClaimAsync(10, Lease);

        Assert.Empty(claim.Sends);
        Assert.NotNull(claim.NextDueAt);
        Assert.True((claim.NextDueAt!.Value - later).Duration() < TimeSpan.FromMilliseconds(1), $"{claim.NextDueAt:o} vs {later:o}");
    }

    [Fact]
    public async Task ClaimAsync_ConcurrentClaimers_NeverClaimOneMessageTwice()
    {
        await _outbox.EnqueueAsync([.. Enumerable.Range(1, 60).Select(i => Send(i, "p" + i))]);
        var second = new PostgresChannelOutbox(_database.Application);

        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? _outbox : second).ClaimAsync(15, Lease)));

        var ids = claims.SelectMany(c => c.Sends).Select(s => s.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(60, ids.Count);
    }

    [Fact]
    public async Task ClaimAsync_LeaseOfAStoppedHostExpired_ClaimsTheMessageAgainAsASecondAttempt()
    {
        await _outbox.EnqueueAsync([Send(1, "ann")]);
        var first = Assert.Single((await _outbox.ClaimAsync(10, TimeSpan.FromMilliseconds(200))).Sends);

        Assert.Empty((await _outbox.ClaimAsync(10, Lease)).Sends);
        await _database.ExecuteAsync("SELECT pg_sleep(0.3)");
        var again = Assert.Single((await _outbox.ClaimAsync(10, Lease)).Sends);

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(1, first.Attempts);
        Assert.Equal(2, again.Attempts);
    }

    [Fact]
    public async Task PostponeAndFail_GiveTheClaimBackOrGiveUp()
    {
        await _outbox.EnqueueAsync([Send(1, "ann"), Send(2, "bob")]);
        var claim = await _outbox.ClaimAsync(10, Lease);
        var ann = claim.Sends.Single(s => s.PersonId == "ann");
        var bob = claim.Sends.Single(s => s.PersonId == "bob");

        await _outbox.PostponeAsync(ann.Id, TimeSpan.FromMilliseconds(150), "429: ratelimited");
        await _outbox.FailAsync(bob.Id, "channel_not_found");

        Assert.Empty((await _outbox.ClaimAsync(10, Lease)).Sends);
        await _database.ExecuteAsync("SELECT pg_sleep(0.2)");
        Assert.Equal(ann.Id, Assert.Single((await _outbox.ClaimAsync(10, Lease)).Sends).Id);
        Assert.Equal("channel_not_found", await _database.ScalarAsync<string>($"SELECT last_error FROM channel_outbox WHERE id = {bob.Id} AND status = 'failed'"));
    }

    [Fact]
    public async Task TryTakeAsync_BurstThenRate_AnswersTheWaitUntilTheNextToken()
    {
        var buckets = new PostgresRateLimitBuckets(_database.Application);

        Assert.Equal(TimeSpan.Zero, await buckets.TryTakeAsync("slack:U1", 2, 2));
        Assert.Equal(TimeSpan.Zero, await buckets.TryTakeAsync("slack:U1", 2, 2));
        var wait = await buckets.TryTakeAsync("slack:U1", 2, 2);

        Assert.InRange(wait.TotalSeconds, 0.3, 0.5); // 0.5 s per token at 2 per second, less the time the two takes took
        Assert.Equal(TimeSpan.Zero, await buckets.TryTakeAsync("slack:U2", 2, 2)); // another conversation, its own bucket
        await _database.ExecuteAsync($"SELECT pg_sleep({wait.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        Assert.Equal(TimeSpan.Zero, await buckets.TryTakeAsync("slack:U1", 2, 2));
    }

    [Fact]
    public async Task DrainAsync_After429_NoTokenUntilRetryAfterHasPassed()
    {
        var buckets = new PostgresRateLimitBuckets(_database.Application);
        Assert.Equal(TimeSpan.Zero, await buckets.TryTakeAsync("slack:U1", 1, 5));

        await buckets.DrainAsync("slack:U1", 1, TimeSpan.FromSeconds(3));

        Assert.InRange((await buckets.TryTakeAsync("slack:U1", 1, 5)).TotalSeconds, 3.5, 4.01); // 3 s empty, then 1 s for a token
    }

    [Fact]
    public async Task DrainAsync_EmptySinceAMomentAgo_RefillsFromThatMomentAndNeverAddsTokens()
    {
        var buckets = new PostgresRateLimitBuckets(_database.Application);
        Assert.Equal(TimeSpan.Zero, await buckets.TryTakeAsync("slack:U1", 1, 1));
        Assert.Equal(TimeSpan.Zero, await buckets.TryTakeAsync("slack:U2", 1, 1));
        await Task.Delay(400); // the provider call: the token was taken 400 ms before the answer was recorded

        await buckets.DrainAsync("slack:U1", 1, TimeSpan.FromMilliseconds(-300)); // the provider answered 300 ms ago
        await buckets.DrainAsync("slack:U2", 1, TimeSpan.FromSeconds(-5)); // more than the bucket refilled since: it has only that

        Assert.InRange((await buckets.TryTakeAsync("slack:U1", 1, 1)).TotalSeconds, 0.5, 0.71);
        var wait = await buckets.TryTakeAsync("slack:U2", 1, 1); // refilled at least 0.4 s since the take, and not 5 tokens
        Assert.InRange(wait.TotalSeconds, 0.001, 0.61);
    }

    [Fact]
    public async Task TryTakeAsync_ConcurrentTakers_NeverTakeMoreThanTheBurst()
    {
        var buckets = new PostgresRateLimitBuckets(_database.Application);

        var waits = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => buckets.TryTakeAsync("telegram:bot", 0.001, 5)));

        Assert.Equal(5, waits.Count(w => w == TimeSpan.Zero));
    }

    [Fact]
    public async Task Choices_AreKeptPerSenderReplacedByTheNextQuestionAndForgottenWhenExpired()
    {
        var inbound = new PostgresChannelInbound(_database.Application);
        var first = new PendingChoice("fatto", [new("i-1", "it-setup", "IT set-up"), new("i-2", "contract", "Contract")]);
        var second = new PendingChoice("note: called the customer", [new("i-3", "billing-setup", "Billing set-up")]);

        await inbound.RememberChoiceAsync(ChannelKind.Slack, "U1", first, TimeSpan.FromMinutes(30));
        Assert.Equal(["it-setup", "contract"], (await inbound.FindChoiceAsync(ChannelKind.Slack, "U1"))!.Items.Select(i => i.StepId));
        Assert.Null(await inbound.FindChoiceAsync(ChannelKind.Telegram, "U1")); // per channel and sender
        await inbound.RememberChoiceAsync(ChannelKind.Slack, "U1", second, TimeSpan.FromMilliseconds(300));
        Assert.Equal("note: called the customer", (await inbound.FindChoiceAsync(ChannelKind.Slack, "U1"))!.Text);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await inbound.FindChoiceAsync(ChannelKind.Slack, "U1") is not null)
        {
            Assert.False(timeout.IsCancellationRequested, "the question did not expire");
            await Task.Delay(50);
        }
    }
}

using System.Text.Json;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Chat;
using Coordinator.Persistence.Inbox;
using Coordinator.Persistence.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Persistence.Tests;

/// <summary>The chat endpoint's keys and each person's mark of notifications seen, against real PostgreSQL as the application role.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresChatKeysTests(PostgresCluster cluster) : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private PostgresChatKeys _keys = null!;
    private PostgresNotificationInbox _inbox = null!;

    public async Task InitializeAsync()
    {
        _database = await cluster.CreateDatabaseAsync();
        _keys = new PostgresChatKeys(_database.Application);
        _inbox = new PostgresNotificationInbox(_database.Application, NullLogger<PostgresNotificationInbox>.Instance);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private static Notification Reminder(long sequence, params string[] to) => new()
    {
        IdempotencyKey = $"i-1:{sequence:D6}:reminder:contract",
        InstanceId = "i-1",
        WorkflowId = "b2b-onboarding",
        WorkflowTitle = "B2B customer onboarding",
        BusinessKey = "D-1",
        StepTitle = "Countersigned contract",
        Recipients = to,
        Action = new CoordinationAction
        {
            Type = CoordinationActionType.Reminder,
            At = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero).AddHours(sequence),
            Sequence = sequence,
            Key = $"{sequence:D6}:reminder:contract",
            StepId = "contract",
            To = to,
        },
    };

    [Fact]
    public async Task RevokeAsync_EveryKeyOfThePerson_IsRefusedAtOnce_AndOthersKeysStay()
    {
        var first = await _keys.CreateAsync("sales.rep");
        var second = await _keys.CreateAsync("sales.rep");
        var other = await _keys.CreateAsync("it.lead");
        Assert.Equal("sales.rep", await _keys.PersonOfAsync(first));

        Assert.Equal(2, await _keys.RevokeAsync("sales.rep"));
        Assert.Equal(0, await _keys.RevokeAsync("sales.rep"));

        Assert.Null(await _keys.PersonOfAsync(first));
        Assert.Null(await _keys.PersonOfAsync(second));
        Assert.Equal("it.lead", await _keys.PersonOfAsync(other));
    }

    [Fact]
    public async Task TakeAsync_AfterTheFirstKey_ShowsOnlyWhatCameSince_EachOnce_NewestFirst_CountingTheOlderOnes()
    {
        await _inbox.SendAsync(Reminder(1, "sales.rep"));
        await _keys.CreateAsync("sales.rep");
        for (var sequence = 2; sequence <= 5; sequence++)
            await _inbox.SendAsync(Reminder(sequence, "sales.rep", "csm.lead"));

        var taken = await _keys.TakeAsync("sales.rep", 3);
        var again = await _keys.TakeAsync("sales.rep", 3);
        await _inbox.SendAsync(Reminder(6, "sales.rep"));
        var later = await _keys.TakeAsync("sales.rep", 3);

        // Before the key: not news. Since: the newest three, and one older.
        Assert.Equal([5L, 4L, 3L], taken.Newest.Select(n => n.Action.Sequence));
        Assert.Equal(1, taken.Earlier);
        Assert.Same(ChatNotices.None, again);
        Assert.Equal([6L], later.Newest.Select(n => n.Action.Sequence));
        Assert.Equal(0, later.Earlier);
    }

    [Fact]
    public async Task TakeAsync_WithoutAMark_SetsOneAndShowsNothingFromBefore()
    {
        await _inbox.SendAsync(Reminder(1, "csm.lead"));

        Assert.Same(ChatNotices.None, await _keys.TakeAsync("csm.lead", 5));

        await _inbox.SendAsync(Reminder(2, "csm.lead"));
        Assert.Equal([2L], (await _keys.TakeAsync("csm.lead", 5)).Newest.Select(n => n.Action.Sequence));
    }

    [Fact]
    public async Task TakeAsync_ManyAnswersAtOnce_ShowEachNotificationOnce()
    {
        await _keys.CreateAsync("sales.rep");
        for (var sequence = 1; sequence <= 20; sequence++)
            await _inbox.SendAsync(Reminder(sequence, "sales.rep"));

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => _keys.TakeAsync("sales.rep", 50))));

        var shown = answers.SelectMany(a => a.Newest).Select(n => n.Action.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i).Order(), shown.Order());
        await using var connection = await _database.Application.OpenConnectionAsync();
        Assert.True(await connection.ExecuteScalarAsync<bool>(
            "SELECT m.seen_at = (SELECT max(delivered_at) FROM notifications WHERE person_id = 'sales.rep') FROM chat_marks m WHERE m.person_id = 'sales.rep'"));
    }

    [Fact]
    public async Task TakeAsync_ANotificationThatCommittedAfterALaterOneWasShown_IsStillShownOnce()
    {
        await _keys.CreateAsync("sales.rep");
        await _inbox.SendAsync(Reminder(2, "sales.rep"));
        Assert.Equal([2L], (await _keys.TakeAsync("sales.rep", 5)).Newest.Select(n => n.Action.Sequence));

        // A delivery whose statement started before the one just shown, and committed after it (its time is its start).
        await using (var connection = await _database.Application.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO notifications (key, person_id, instance_id, workflow_id, action, payload, delivered_at)
                SELECT 'i-1:000001:reminder:contract', 'sales.rep', 'i-1', 'b2b-onboarding', 'reminder', @payload::jsonb, delivered_at - interval '2 seconds'
                FROM notifications WHERE person_id = 'sales.rep' AND key = 'i-1:000002:reminder:contract'
                """, new { payload = JsonSerializer.Serialize(Reminder(1, "sales.rep"), new JsonSerializerOptions(JsonSerializerDefaults.Web)) });
        }

        var late = await _keys.TakeAsync("sales.rep", 5);
        var again = await _keys.TakeAsync("sales.rep", 5);

        Assert.Equal([1L], late.Newest.Select(n => n.Action.Sequence));
        Assert.Same(ChatNotices.None, again);
    }
}

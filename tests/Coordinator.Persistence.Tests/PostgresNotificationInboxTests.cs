using System.Text.Json;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Inbox;
using Coordinator.Persistence.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Coordinator.Persistence.Tests;

/// <summary>The PostgreSQL inbox against real PostgreSQL, as the application role.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresNotificationInboxTests(PostgresCluster cluster) : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private NpgsqlDataSource _application = null!;
    private PostgresNotificationInbox _inbox = null!;

    public async Task InitializeAsync()
    {
        _database = await cluster.CreateDatabaseAsync();
        _application = _database.Application;
        _inbox = new PostgresNotificationInbox(_application, NullLogger<PostgresNotificationInbox>.Instance);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private static Notification Reminder(string instanceId, long sequence, params string[] to) => new()
    {
        IdempotencyKey = $"{instanceId}:{sequence:D6}:reminder:contract",
        InstanceId = instanceId,
        WorkflowId = "b2b-onboarding",
        WorkflowTitle = "B2B customer onboarding",
        BusinessKey = "D-1",
        StepTitle = "Countersigned contract",
        Recipients = to,
        Action = new CoordinationAction
        {
            Type = CoordinationActionType.Reminder,
            At = new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.Zero).AddDays(sequence),
            Sequence = sequence,
            Key = $"{sequence:D6}:reminder:contract",
            StepId = "contract",
            To = to,
            Reason = "due in 2d",
            Due = new DateTimeOffset(2024, 3, 6, 8, 0, 0, TimeSpan.Zero),
        },
    };

    [Fact]
    public async Task SendAsync_SameKeyTwice_DeliversOnceAndAnswersAlreadyPerformed()
    {
        var notification = Reminder("i-1", 3, "sales.rep");

        var first = await _inbox.SendAsync(notification);
        var second = await _inbox.SendAsync(notification with { StepTitle = "changed on retry" });

        Assert.Equal(SideEffectOutcome.Performed, first);
        Assert.Equal(SideEffectOutcome.AlreadyPerformed, second);
        var stored = Assert.Single(await _inbox.OfInstanceAsync("i-1"));
        Assert.Equal(JsonSerializer.Serialize(notification), JsonSerializer.Serialize(stored));
    }

    [Fact]
    public async Task SendAsync_ConcurrentAttemptsOfOneKey_ExactlyOnePerforms()
    {
        var notification = Reminder("i-2", 4, "sales.rep");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => _inbox.SendAsync(notification))));

        Assert.Single(outcomes, o => o == SideEffectOutcome.Performed);
        Assert.Single(await _inbox.OfInstanceAsync("i-2"));
    }

    [Fact]
    public async Task ForAsync_PersonWithNotifications_ReturnsTheirsNewestFirstUpToLimit()
    {
        for (var sequence = 1; sequence <= 4; sequence++)
            await _inbox.SendAsync(Reminder("i-3", sequence, sequence % 2 == 0 ? "legal.counsel" : "sales.rep", "csm.lead"));

        var salesRep = await _inbox.ForAsync("sales.rep", limit: 10);
        var csmLead = await _inbox.ForAsync("csm.lead", limit: 3);

        Assert.Equal([3L, 1L], salesRep.Select(n => n.Action.Sequence));
        Assert.Equal([4L, 3L, 2L], csmLead.Select(n => n.Action.Sequence));
        Assert.Empty(await _inbox.ForAsync("nobody", limit: 10));
    }
}

using System.Text.Json;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coordinator.Events.Tests;

/// <summary>
/// The relay against real PostgreSQL (rows appended through the real <see cref="PostgresAuditLog"/>) and loopback
/// receivers: in order, each once, through an outage, per target, with two relays on one database.
/// </summary>
[Collection(EventsPostgresCollection.Name)]
public sealed class RelayTests(EventsPostgres postgres)
{
    private static async Task AppendAsync(string connectionString, IEnumerable<AuditEntry> entries)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await new PostgresAuditLog(data).AppendAsync([.. entries]);
    }

    private static async Task<long> HeadAsync(NpgsqlDataSource data)
    {
        await using var command = data.CreateCommand("SELECT seq FROM audit_chain_head");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Waits until the target's cursor reached the registry's end: every row was taken, nothing more will come.</summary>
    private static async Task DrainedAsync(string connectionString, string target)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await Wait.UntilAsync(async () =>
        {
            await using var command = data.CreateCommand("SELECT position FROM event_relay_cursors WHERE target = $1");
            command.Parameters.AddWithValue(target);
            return await command.ExecuteScalarAsync() is long position && position == await HeadAsync(data);
        }, $"the cursor of {target} at the registry's end");
    }

    private static async Task<List<(string Action, string Verdict, string InstanceId, string Detail)>> EventsRowsAsync(string connectionString)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await using var command = data.CreateCommand("SELECT action, verdict, instance_id, detail::text FROM audit_log WHERE workflow_id = 'events' ORDER BY seq");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string, string)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        return rows;
    }

    private static List<string> Ids(IEnumerable<ReceivedEvent> events) =>
        [.. events.Select(e => JsonDocument.Parse(e.Body).RootElement.GetProperty("id").GetString()!)];

    [Fact]
    public async Task Relay_RowsAppended_DeliveredInRegistryOrderOnceSigned()
    {
        var connection = await postgres.CreateDatabaseAsync();
        // History before the relay first starts is not replayed.
        await AppendAsync(connection, [Samples.Action("onboarding", "old", 1)]);
        await using var receiver = await LoopbackReceiver.StartAsync();
        await using var relay = await RelayHarness.StartAsync(connection, receiver.Url, Definitions.Workflow("onboarding"));

        var expected = new List<string>();
        for (var batch = 0; batch < 5; batch++)
        {
            var entries = Enumerable.Range(1, 6).Select(i => Samples.Action("onboarding", $"deal-{i % 2}", batch * 10 + i)).ToList();
            expected.AddRange(entries.Select(e => e.IdempotencyKey));
            await AppendAsync(connection, [.. entries,
                // Not instance actions of a served workflow: never sent.
                new AuditEntry { IdempotencyKey = $"channel:slack:webhook.denied:{batch}", At = DateTimeOffset.UtcNow, InstanceId = "channel:slack", WorkflowId = "channels", WorkflowVersion = 0, Action = "webhook.denied", Actor = "anonymous", Verdict = AuditVerdict.Deny },
                Samples.Action("not-served", "x", batch + 1)]);
        }
        await DrainedAsync(connection, EventTargets.HostWide);

        Assert.Equal(expected, Ids(receiver.Requests));
        var key = StandardWebhooks.ParseSecret(RelayHarness.HostSecret)!;
        foreach (var request in receiver.Requests)
        {
            Assert.Equal("application/cloudevents+json; charset=utf-8", request.ContentType);
            var id = JsonDocument.Parse(request.Body).RootElement.GetProperty("id").GetString();
            Assert.Equal(id, request.Id);
            Assert.True(StandardWebhooks.Verify(key, request.Id, request.Timestamp, request.Signature, request.Body, DateTimeOffset.UtcNow).Accepted);
        }
    }

    [Fact]
    public async Task Relay_ReceiverDownThenBack_EachDeliveredOnceInOrderWithDelayedAndRecoveredRows()
    {
        var connection = await postgres.CreateDatabaseAsync();
        await using var receiver = await LoopbackReceiver.StartAsync();
        await using var relay = await RelayHarness.StartAsync(connection, receiver.Url, Definitions.Workflow("onboarding"));
        foreach (var status in new[] { 503, 503, 503, 408, 429 })
            receiver.Failures.Enqueue(status);

        var entries = Enumerable.Range(1, 8).Select(i => Samples.Action("onboarding", "deal-1", i)).ToList();
        await AppendAsync(connection, entries);
        await DrainedAsync(connection, EventTargets.HostWide);

        Assert.Equal(entries.Select(e => e.IdempotencyKey), Ids(receiver.Accepted));
        // The first event was tried six times: five failures, then the 2xx.
        Assert.Equal(Enumerable.Repeat(entries[0].IdempotencyKey, 6), Ids(receiver.Requests.Take(6)));
        var rows = await EventsRowsAsync(connection);
        Assert.Equal([("events.delivery_delayed", "WARN"), ("events.delivery_recovered", "ALLOW")], rows.Select(r => (r.Action, r.Verdict)));
        Assert.All(rows, r => Assert.Equal("events:webhook", r.InstanceId));
        Assert.Contains(entries[0].IdempotencyKey, rows[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relay_ReceiverRefusesOneEvent_SkipsItWithARefusedRowAndDeliversTheRest()
    {
        var connection = await postgres.CreateDatabaseAsync();
        await using var receiver = await LoopbackReceiver.StartAsync();
        await using var relay = await RelayHarness.StartAsync(connection, receiver.Url, Definitions.Workflow("onboarding"));
        receiver.Failures.Enqueue(422);

        var entries = Enumerable.Range(1, 3).Select(i => Samples.Action("onboarding", "deal-1", i)).ToList();
        await AppendAsync(connection, entries);
        await DrainedAsync(connection, EventTargets.HostWide);

        Assert.Equal(entries.Select(e => e.IdempotencyKey), Ids(receiver.Requests));
        Assert.Equal(entries.Skip(1).Select(e => e.IdempotencyKey), Ids(receiver.Accepted));
        var row = Assert.Single(await EventsRowsAsync(connection));
        Assert.Equal(("events.delivery_refused", "WARN"), (row.Action, row.Verdict));
        Assert.Contains("422", row.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relay_DefinitionWithItsWebhook_GetsItsWorkflowAndTheHostWideTheOthers()
    {
        var connection = await postgres.CreateDatabaseAsync();
        await using var host = await LoopbackReceiver.StartAsync();
        await using var onboarding = await LoopbackReceiver.StartAsync();
        await using var relay = await RelayHarness.StartAsync(connection, host.Url,
            new Dictionary<string, string?> { ["Coordinator:Events:Onboarding:Secret"] = RelayHarness.OnboardingSecret },
            Definitions.Workflow("onboarding", onboarding.Url), Definitions.Workflow("claims"));

        var entries = Enumerable.Range(1, 6).Select(i => Samples.Action(i % 2 == 0 ? "onboarding" : "claims", "k", i)).ToList();
        await AppendAsync(connection, entries);
        await DrainedAsync(connection, EventTargets.HostWide);
        await DrainedAsync(connection, "workflow:onboarding");

        Assert.Equal(entries.Where(e => e.WorkflowId == "claims").Select(e => e.IdempotencyKey), Ids(host.Requests));
        Assert.Equal(entries.Where(e => e.WorkflowId == "onboarding").Select(e => e.IdempotencyKey), Ids(onboarding.Requests));
        // Each signed with its own secret.
        var onboardingKey = StandardWebhooks.ParseSecret(RelayHarness.OnboardingSecret)!;
        Assert.All(onboarding.Requests, r => Assert.True(StandardWebhooks.Verify(onboardingKey, r.Id, r.Timestamp, r.Signature, r.Body, DateTimeOffset.UtcNow).Accepted));
    }

    [Fact]
    public async Task Relay_TwoRelaysOnOneDatabase_NoEventDeliveredTwice()
    {
        var connection = await postgres.CreateDatabaseAsync();
        await using var receiver = await LoopbackReceiver.StartAsync();
        var first = await RelayHarness.StartAsync(connection, receiver.Url, Definitions.Workflow("onboarding"));
        await using var second = await RelayHarness.StartAsync(connection, receiver.Url, Definitions.Workflow("onboarding"));

        var expected = new List<string>();
        for (var batch = 0; batch < 10; batch++)
        {
            var entries = Enumerable.Range(1, 5).Select(i => Samples.Action("onboarding", $"deal-{batch}", i)).ToList();
            expected.AddRange(entries.Select(e => e.IdempotencyKey));
            await AppendAsync(connection, entries);
            if (batch == 5)
                await first.DisposeAsync(); // one host stops mid-stream: the other takes over where it stopped
        }
        await DrainedAsync(connection, EventTargets.HostWide);

        Assert.Equal(expected, Ids(receiver.Requests));
    }

    [Fact]
    public async Task Relay_HostStopsWhileTheReceiverIsAnswering_FinishesThatDeliveryAndTheNextHostDoesNotSendItAgain()
    {
        var connection = await postgres.CreateDatabaseAsync();
        await using var receiver = await LoopbackReceiver.StartAsync();
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Gate = answer;
        await using var first = await RelayHarness.StartAsync(connection, receiver.Url, Definitions.Workflow("onboarding"));
        var entries = Enumerable.Range(1, 3).Select(i => Samples.Action("onboarding", "deal-1", i)).ToList();
        await AppendAsync(connection, entries);
        await Wait.UntilAsync(() => Task.FromResult(!receiver.Requests.IsEmpty), "the first event at the receiver");

        // The host stops (its stopping token is cancelled at once) while the receiver has the event but not yet answered.
        var stopping = first.Relay.StopAsync(CancellationToken.None);
        receiver.Gate = null;
        answer.SetResult();
        await stopping;
        await using var second = await RelayHarness.StartAsync(connection, receiver.Url, Definitions.Workflow("onboarding"));
        await DrainedAsync(connection, EventTargets.HostWide);

        Assert.Equal(entries.Select(e => e.IdempotencyKey), Ids(receiver.Requests));
    }

    [Fact]
    public async Task StartAsync_DefinitionSecretSettingMissing_FailsNamingTheSetting()
    {
        var connection = await postgres.CreateDatabaseAsync();
        await using var services = RelayHarness.Build(connection, null, new Dictionary<string, string?>(),
            Definitions.Workflow("onboarding", new Uri("https://tickets.example.com/hooks"), "Coordinator__Events__Onboarding__Secret"));
        var relay = services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<EventRelay>().Single();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => relay.StartAsync(CancellationToken.None));

        Assert.Contains("Coordinator__Events__Onboarding__Secret", error.Message, StringComparison.Ordinal);
        Assert.Contains("whsec_", error.Message, StringComparison.Ordinal);
    }
}

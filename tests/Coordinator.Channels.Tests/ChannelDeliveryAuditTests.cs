using System.Diagnostics.Metrics;
using Coordinator.Channels.Rendering;
using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coordinator.Channels.Tests;

/// <summary>
/// What the dispatcher records of a delivery, on real PostgreSQL (outbox and audit registry): a provider outage that
/// lasts three attempts is a <c>channel.delivery_delayed</c> row on the instance's trail, the delivery after it a
/// <c>channel.delivery_recovered</c> row, a refusal for good a <c>channel.delivery_refused</c> row; each once; and
/// the delivery latency per channel is measured from when the message was due.
/// </summary>
[Collection(ChannelsPostgresCollection.Name)]
public sealed class ChannelDeliveryAuditTests(ChannelsPostgres postgres) : IAsyncLifetime
{
    private string _connection = null!;
    private NpgsqlDataSource _database = null!;

    public async Task InitializeAsync()
    {
        _connection = await postgres.CreateDatabaseAsync();
        _database = NpgsqlDataSource.Create(_connection);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    /// <summary>A channel whose provider fails, refuses, or takes the message, as the test says.</summary>
    private sealed class ScriptedChannel : IChannel
    {
        public Queue<Exception?> Answers { get; } = new();

        public int Accepted { get; private set; }

        public ChannelKind Kind => ChannelKind.Telegram;

        public ChannelLimits Limits { get; } = new(100, 100, 100, 100);

        public Task<ChannelReceipt> SendAsync(ChannelSend send, Person recipient, RenderedMessage message, CancellationToken cancellationToken)
        {
            if (Answers.Count > 0 && Answers.Dequeue() is { } failure)
                throw failure;
            Accepted++;
            return Task.FromResult(new ChannelReceipt("m-" + send.Id, send.Address));
        }

        public Task AnswerAsync(InboundReply reply, string text, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private (ServiceProvider Services, ChannelDispatcher Dispatcher, ScriptedChannel Channel) Host()
    {
        var channel = new ScriptedChannel();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(_ => NpgsqlDataSource.Create(_connection));
        services.AddSingleton<IPersonDirectory>(new PersonDirectory([new Person { Id = "andrea", Name = "Andrea", Channel = ChannelKind.Telegram, Telegram = 123456789 }]));
        services.AddSingleton<INotificationSender, NoInbox>();
        services.AddSingleton<IChannelOutbox, PostgresChannelOutbox>();
        services.AddSingleton<IRateLimitBuckets, PostgresRateLimitBuckets>();
        services.AddSingleton<IChannelInbound, PostgresChannelInbound>();
        services.AddSingleton<IAuditLog, PostgresAuditLog>();
        services.AddSingleton<IChannel>(channel);
        services.AddChannelRouting(new ConfigurationBuilder().Build());
        services.AddSingleton<ChannelDispatcher>();
        var provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<ChannelDispatcher>(), channel);
    }

    private sealed class NoInbox : INotificationSender
    {
        public string Channel => "inbox";

        public Task<SideEffectOutcome> SendAsync(Notification notification, CancellationToken cancellationToken = default) => Task.FromResult(SideEffectOutcome.Performed);
    }

    private static Notification Reminder(string instance) => new()
    {
        IdempotencyKey = $"{instance}:000007:reminder:billing-setup",
        InstanceId = instance,
        WorkflowId = "b2b-onboarding",
        WorkflowTitle = "B2B customer onboarding",
        BusinessKey = "D-" + instance,
        StepTitle = "Billing set-up",
        Recipients = ["andrea"],
        Action = new CoordinationAction
        {
            Type = CoordinationActionType.Reminder,
            At = DateTimeOffset.UtcNow,
            Sequence = 7,
            Key = "000007:reminder:billing-setup",
            StepId = "billing-setup",
            To = ["andrea"],
            Due = DateTimeOffset.UtcNow.AddDays(2),
        },
    };

    /// <summary>Claims the message (made due at once: the test does not wait out the back-off) and sends it once.</summary>
    private async Task AttemptAsync(IServiceProvider services, ChannelDispatcher dispatcher)
    {
        await using (var due = _database.CreateCommand("UPDATE channel_outbox SET not_before = clock_timestamp() WHERE status = 'pending'"))
            await due.ExecuteNonQueryAsync();
        var claim = await services.GetRequiredService<IChannelOutbox>().ClaimAsync(10, TimeSpan.FromMinutes(1));
        await dispatcher.SendOneAsync(Assert.Single(claim.Sends), CancellationToken.None);
    }

    private async Task<List<(string Action, string Verdict, string StepId, string Detail)>> DeliveryRowsAsync(string instance)
    {
        await using var command = _database.CreateCommand(
            "SELECT action, verdict, step_id, detail::text FROM audit_log WHERE instance_id = $1 AND action LIKE 'channel.delivery%' ORDER BY seq");
        command.Parameters.AddWithValue(instance);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string, string)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        return rows;
    }

    [Fact]
    public async Task ProviderDownForThreeAttempts_AuditsTheDelayOnceThenTheRecovery_AndMeasuresTheLatency()
    {
        var (services, dispatcher, channel) = Host();
        await using var _ = services;
        var latencies = new List<(double Seconds, string? Channel)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "coordinator.channels.delivery.duration")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            latencies.Add((value, tags.ToArray().FirstOrDefault(t => t.Key == "channel").Value as string)));
        listener.Start();
        await services.GetRequiredService<INotificationSender>().SendAsync(Reminder("i-outage"));
        for (var i = 0; i < 4; i++)
            channel.Answers.Enqueue(new HttpRequestException("503 Service Unavailable"));

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await AttemptAsync(services, dispatcher);
            Assert.Equal(attempt < 3 ? 0 : 1, (await DeliveryRowsAsync("i-outage")).Count);
        }
        await AttemptAsync(services, dispatcher); // the fourth failure: still one "delayed" row
        await AttemptAsync(services, dispatcher); // the provider is back

        Assert.Equal(1, channel.Accepted);
        var rows = await DeliveryRowsAsync("i-outage");
        Assert.Equal(["channel.delivery_delayed", "channel.delivery_recovered"], rows.Select(r => r.Action));
        Assert.Equal(["WARN", "ALLOW"], rows.Select(r => r.Verdict));
        Assert.All(rows, r => Assert.Equal("billing-setup", r.StepId));
        Assert.Contains("\"failures\": 3", rows[0].Detail, StringComparison.Ordinal);
        Assert.Contains("\"failures\": 4", rows[1].Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("123456789", string.Concat(rows.Select(r => r.Detail)), StringComparison.Ordinal); // no handle
        await using (var status = _database.CreateCommand("SELECT status || '/' || failures FROM channel_outbox"))
            Assert.Equal("sent/4", await status.ExecuteScalarAsync());
        var (seconds, tag) = Assert.Single(latencies);
        Assert.Equal("telegram", tag);
        Assert.True(seconds >= 0, $"latency {seconds} s");
    }

    [Fact]
    public async Task ProviderRefusesForGood_AuditsTheRefusalOnce()
    {
        var (services, dispatcher, channel) = Host();
        await using var _ = services;
        await services.GetRequiredService<INotificationSender>().SendAsync(Reminder("i-refused"));
        channel.Answers.Enqueue(new ChannelRefusedException("Forbidden: bot was blocked by the user"));

        await AttemptAsync(services, dispatcher);

        var row = Assert.Single(await DeliveryRowsAsync("i-refused"));
        Assert.Equal(("channel.delivery_refused", "WARN"), (row.Action, row.Verdict));
        Assert.Contains("bot was blocked by the user", row.Detail, StringComparison.Ordinal);
        Assert.Equal(0, channel.Accepted);
        await using var status = _database.CreateCommand("SELECT status FROM channel_outbox");
        Assert.Equal("failed", await status.ExecuteScalarAsync());
    }
}

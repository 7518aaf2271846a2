using System.Net;
using Coordinator.Channels.Replies;
using Coordinator.Channels.Tests.Slack;
using Coordinator.Channels.WhatsApp;
using Coordinator.Controls;
using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Channels;
using Coordinator.Persistence.Inbox;
using Coordinator.Testing;
using Coordinator.Testing.Loopback;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Coordinator.Channels.Tests.WhatsApp;

/// <summary>
/// Both ways on one host, with real PostgreSQL and a loopback Twilio: the router's task reaches the person on
/// WhatsApp through the outbox and the dispatcher; their signed reply "1" (a number, no thread) becomes Done on the
/// step of the latest message sent to them, once however often Twilio delivers it, and is acknowledged on WhatsApp.
/// </summary>
[Collection(ChannelsPostgresCollection.Name)]
public sealed class WhatsAppRoundTripTests(ChannelsPostgres postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly Person Marco = new() { Id = "it.engineer", Name = "Marco Ferri", Channel = ChannelKind.WhatsApp, WhatsApp = "+393471234567", Language = "it", TimeZone = "Europe/Rome" };

    private sealed class Gateway : IHumanEventGateway
    {
        private readonly List<(string Instance, HumanEvent Event)> _submitted = [];

        public IReadOnlyList<(string Instance, HumanEvent Event)> Submitted
        {
            get
            {
                lock (_submitted)
                    return [.. _submitted];
            }
        }

        public Task<SubmittedEvent> SubmitAsync(string instanceId, HumanEvent humanEvent, CancellationToken cancellationToken)
        {
            lock (_submitted)
                _submitted.Add((instanceId, humanEvent));
            return Task.FromResult(new SubmittedEvent(SubmittedKind.Applied));
        }
    }

    private sealed class NoWork : IWorkQueries
    {
        public Task<IReadOnlyList<PersonWorkItem>> WaitingOnAsync(string personId, int limit, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<PersonWorkItem>>([]);
        public Task<IReadOnlyList<RunningWork>> RunningAsync(int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> NamesAsync(string personId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<WorkStanding>> NamingAsync(string personId, int limit, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<WorkStanding>>([]);
        public Task<IReadOnlyList<PersonWorkload>> PeopleAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private static Task WaitForAsync(Func<bool> condition, string what, Func<Task<string>>? state = null) =>
        WaitForAsync(() => Task.FromResult(condition()), what, state);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, Func<Task<string>>? state = null)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
                Assert.Fail($"{what} did not happen within {Patience.TotalSeconds} s{(state is null ? "" : "; " + await state())}");
            await Task.Delay(50);
        }
    }

    private static async Task<bool> SentAsync(string connection, string sid)
    {
        await using var data = NpgsqlDataSource.Create(connection);
        await using var command = data.CreateCommand("SELECT count(*) FROM channel_outbox WHERE channel = 'whatsapp' AND status = 'sent' AND address = '+393471234567' AND provider_message_id = $1");
        command.Parameters.AddWithValue(sid);
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }

    /// <summary>The replies kept and what became of them, for a failure's message.</summary>
    private static async Task<string> InboundAsync(string connection)
    {
        await using var data = NpgsqlDataSource.Create(connection);
        await using var command = data.CreateCommand("SELECT status || ' ' || attempts || ' ' || coalesce(outcome, '-') || ' ' || coalesce(last_error, '-') FROM channel_inbound ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(reader.GetString(0));
        return "channel_inbound: " + (rows.Count == 0 ? "empty" : string.Join(" | ", rows));
    }

    [Fact]
    public async Task TaskOnWhatsApp_ReplyOne_IsDoneOnThatStepOnceAndAcknowledgedInItalian()
    {
        var connection = await postgres.CreateDatabaseAsync();
        await using var twilio = await LoopbackTwilio.StartAsync();
        var settings = WhatsAppChannelTests.Settings(twilio);
        settings["Coordinator:Channels:Dispatch:PollInterval"] = "00:00:00.200";
        var port = ThrowawayAzurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Configuration.AddInMemoryCollection(settings);
        var services = builder.Services;
        services.AddSingleton(_ => NpgsqlDataSource.Create(connection));
        services.AddSingleton<IPersonDirectory>(new PersonDirectory([Marco]));
        services.AddSingleton<PostgresNotificationInbox>();
        services.AddSingleton<INotificationSender>(sp => sp.GetRequiredService<PostgresNotificationInbox>());
        services.AddSingleton<IChannelOutbox, PostgresChannelOutbox>();
        services.AddSingleton<IRateLimitBuckets, PostgresRateLimitBuckets>();
        services.AddSingleton<IChannelInbound, PostgresChannelInbound>();
        services.AddSingleton<IAuditLog, PostgresAuditLog>();
        services.AddSingleton<IWorkQueries, NoWork>();
        Assert.True(services.AddWhatsAppChannel(builder.Configuration));
        services.AddChannelRouting(builder.Configuration);
        // The reply handler checks free text with the real topic-guardrail against the served workflows.
        services.AddCoordinatorControls();
        services.AddSingleton<IServedWorkflows>(new ServedSample());
        services.AddReplyWorker<Gateway>();
        await using var app = builder.Build();
        app.MapWhatsAppWebhooks();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };

        // The task reaches Marco on WhatsApp.
        var notification = Messages.TaskSend(ChannelKind.WhatsApp, "+393471234567").Notification;
        Assert.Equal(SideEffectOutcome.Performed, await app.Services.GetRequiredService<INotificationSender>().SendAsync(notification));
        await WaitForAsync(() => twilio.Messages.Count >= 1, "the task on WhatsApp");
        var task = twilio.Messages[0];
        Assert.Equal("whatsapp:+393471234567", task.To);
        Assert.EndsWith("1. Fatto\n2. Bloccato\n3. Aggiungi una nota\nRispondi con il numero della tua scelta.", task.Body, StringComparison.Ordinal);

        // The outbox keeps Twilio's sid as the receipt: the message a reply without a thread answers.
        await WaitForAsync(() => SentAsync(connection, task.Sid), "the outbox to record the message's sid");

        // Marco answers "1"; Twilio delivers it twice.
        var form = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["MessageSid"] = "SM5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
            ["SmsMessageSid"] = "SM5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
            ["AccountSid"] = twilio.AccountSid,
            ["From"] = "whatsapp:+393471234567",
            ["To"] = twilio.From,
            ["Body"] = "1",
            ["NumMedia"] = "0",
        };
        var signature = LoopbackTwilio.Sign(twilio.AuthToken, WhatsAppChannelTests.PublicBaseUrl + WhatsAppWebhook.Route, form);
        for (var delivery = 0; delivery < 2; delivery++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, WhatsAppWebhook.Route) { Content = new FormUrlEncodedContent(form) };
            request.Headers.Add("X-Twilio-Signature", signature);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var gateway = (Gateway)app.Services.GetRequiredService<IHumanEventGateway>();
        await WaitForAsync(() => gateway.Submitted.Count >= 1, "the reply's event", () => InboundAsync(connection));
        await WaitForAsync(() => twilio.Messages.Count >= 2, "the acknowledgement on WhatsApp");
        await app.StopAsync();

        var (instance, done) = Assert.Single(gateway.Submitted);
        Assert.Equal(("i-1", "it-setup", HumanEventType.Done, "it.engineer"), (instance, done.StepId, done.Type, done.By));
        Assert.Equal("whatsapp-SM5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", done.EventId);
        var ack = twilio.Messages[1];
        Assert.Equal("whatsapp:+393471234567", ack.To);
        Assert.StartsWith("✓", ack.Body, StringComparison.Ordinal);
        Assert.Contains("IT set-up", ack.Body, StringComparison.Ordinal);
        Assert.Equal(2, twilio.Messages.Count);
        Assert.Equal(0, twilio.WireErrors);
    }
}

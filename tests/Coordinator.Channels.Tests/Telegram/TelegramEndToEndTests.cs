using System.Globalization;
using System.Net;
using System.Text.Json;
using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Testing.Loopback;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coordinator.Channels.Tests.Telegram;

/// <summary>
/// Both ways through a host on real PostgreSQL and a loopback Telegram: the router puts a task in the outbox, the
/// dispatcher sends it with its keys and keeps the message_id; a press on its Done key and a text reply to it come back
/// through the webhook, find that message, become one event each (however often Telegram delivers them), and are
/// acknowledged as replies to it.
/// </summary>
[Collection(ChannelsPostgresCollection.Name)]
public sealed class TelegramEndToEndTests(ChannelsPostgres postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private LoopbackTelegram _telegram = null!;
    private TelegramHost _host = null!;

    public async Task InitializeAsync()
    {
        _telegram = await LoopbackTelegram.StartAsync();
        _host = await TelegramHost.StartAsync(await postgres.CreateDatabaseAsync(), _telegram, new PersonDirectory([TelegramChannelTests.Marco]));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _telegram.DisposeAsync();
    }

    [Fact]
    public async Task Telegram_TaskSentWithKeys_PressAndReplyOnItBecomeOneEventEachAndAreAcknowledgedInReplyToIt()
    {
        var notification = TelegramChannelTests.Send("123456789").Notification;
        var router = _host.Services.GetRequiredService<INotificationSender>();
        Assert.IsType<ChannelRouter>(router);

        Assert.Equal(SideEffectOutcome.Performed, await router.SendAsync(notification));
        Assert.Equal(SideEffectOutcome.AlreadyPerformed, await router.SendAsync(notification)); // a retried activity

        // Out: the task reaches the person's chat with its keys, and the outbox keeps Telegram's message_id.
        var task = await TelegramHost.WaitForAsync(() => Task.FromResult(_telegram.Posts.FirstOrDefault()), Patience, "the task in the Telegram chat");
        Assert.Equal(TelegramChannelTests.MarcoChat, task.ChatId);
        Assert.StartsWith("Nuova attività: IT set-up", task.Text, StringComparison.Ordinal);
        var done = task.Keyboard!.SelectMany(row => row!.AsArray()).First(k => k!["text"]!.GetValue<string>() == "Fatto")!["callback_data"]!.GetValue<string>();
        var messageId = task.MessageId.ToString(CultureInfo.InvariantCulture);
        await using (var data = NpgsqlDataSource.Create(_host.Connection))
        {
            await TelegramHost.WaitForAsync(async () =>
            {
                await using var sent = data.CreateCommand("SELECT provider_message_id FROM channel_outbox WHERE channel = 'telegram' AND address = '123456789' AND status = 'sent'");
                return await sent.ExecuteScalarAsync() as string;
            }, Patience, "the outbox's receipt");
            await using var receipt = data.CreateCommand("SELECT provider_message_id FROM channel_outbox WHERE channel = 'telegram'");
            Assert.Equal(messageId, await receipt.ExecuteScalarAsync() as string);
        }

        // Back: a press on Done, delivered twice.
        foreach (var _ in new[] { 1, 2 })
        {
            var (status, body) = await _host.PostUpdateAsync(TelegramWebhookTests.Press(20001, done, task.MessageId));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("answerCallbackQuery", JsonDocument.Parse(body).RootElement.GetProperty("method").GetString());
        }
        var pressed = await TelegramHost.WaitForAsync(() => Task.FromResult(_host.Gateway.Submitted.Count >= 1 ? _host.Gateway.Submitted : null), Patience, "the press's event");
        var (instance, humanEvent) = Assert.Single(pressed);
        Assert.Equal(("i-1", "it-setup", HumanEventType.Done, "it.engineer", "telegram-20001"), (instance, humanEvent.StepId, humanEvent.Type, humanEvent.By, humanEvent.EventId));
        var ack = await TelegramHost.WaitForAsync(() => Task.FromResult(_telegram.Posts.Skip(1).FirstOrDefault()), Patience, "the acknowledgement of the press");
        Assert.Equal("✓ IT set-up: completata. Grazie!", ack.Text);
        Assert.Equal(task.MessageId, ack.ReplyParameters!["message_id"]!.GetValue<long>());

        // Back: a text reply to the task.
        var (replied, _) = await _host.PostUpdateAsync(TelegramWebhookTests.TextMessage(20002, "fatto", replyTo: task.MessageId));
        Assert.Equal(HttpStatusCode.OK, replied);
        var typed = await TelegramHost.WaitForAsync(() => Task.FromResult(_host.Gateway.Submitted.Count >= 2 ? _host.Gateway.Submitted : null), Patience, "the reply's event");
        Assert.Equal(("i-1", "it-setup", HumanEventType.Done, "telegram-20002"), (typed[1].Instance, typed[1].Event.StepId, typed[1].Event.Type, typed[1].Event.EventId));
        var second = await TelegramHost.WaitForAsync(() => Task.FromResult(_telegram.Posts.Skip(2).FirstOrDefault()), Patience, "the acknowledgement of the reply");
        Assert.Equal(task.MessageId, second.ReplyParameters!["message_id"]!.GetValue<long>());

        // Once each: two events, one task and two acknowledgements, every reply handled, the wire format kept throughout.
        var kept = await TelegramHost.WaitForAsync(async () => (await _host.KeptAsync()) is { Count: 2 } rows && rows.All(r => r.Status == "done") ? rows : null, Patience, "both replies handled");
        Assert.Equal(["20001", "20002"], kept.Select(k => k.DeliveryId));
        Assert.Equal(2, _host.Gateway.Submitted.Count);
        Assert.Equal(3, _telegram.Posts.Count);
        Assert.True(_telegram.WireErrors == 0, string.Join("; ", _telegram.WireErrorReasons));
        Assert.Equal(0, _telegram.RateLimited);
    }
}

using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordinator.Channels.Telegram;
using Coordinator.Core.People;
using Coordinator.Testing.Loopback;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Channels.Tests.Telegram;

/// <summary>
/// <c>POST /api/webhooks/telegram</c> on Kestrel with real PostgreSQL: the secret token checked first, a person's
/// message, reply and key press kept once per <c>update_id</c>, refusals audited as DENY without the body.
/// </summary>
[Collection(ChannelsPostgresCollection.Name)]
public sealed class TelegramWebhookTests(ChannelsPostgres postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
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

    private static JsonObject Person() => new() { ["id"] = 123456789, ["is_bot"] = false, ["first_name"] = "Marco", ["language_code"] = "it" };

    private static JsonObject Chat() => new() { ["id"] = 123456789, ["first_name"] = "Marco", ["type"] = "private" };

    private static JsonObject BotMessage(long messageId) => new()
    {
        ["message_id"] = messageId,
        ["from"] = new JsonObject { ["id"] = 7000000001, ["is_bot"] = true, ["first_name"] = "Coordinator", ["username"] = "coordinator_loopback_bot" },
        ["chat"] = Chat(),
        ["date"] = 1779990000,
        ["text"] = "Nuova attività: IT set-up",
    };

    /// <summary>An update with a person's message, as the Bot API documents it.</summary>
    internal static string TextMessage(long updateId, string text, long? replyTo = null)
    {
        var message = new JsonObject { ["message_id"] = updateId - 9000, ["from"] = Person(), ["chat"] = Chat(), ["date"] = 1780000000, ["text"] = text };
        if (replyTo is { } to)
            message["reply_to_message"] = BotMessage(to);
        return new JsonObject { ["update_id"] = updateId, ["message"] = message }.ToJsonString();
    }

    /// <summary>An update with a press on an inline key of one of the bot's messages.</summary>
    internal static string Press(long updateId, string data, long messageId, string queryId = "4382bfdwdsb323b2d9") => new JsonObject
    {
        ["update_id"] = updateId,
        ["callback_query"] = new JsonObject
        {
            ["id"] = queryId,
            ["from"] = Person(),
            ["message"] = BotMessage(messageId),
            ["chat_instance"] = "-2318232358716435291",
            ["data"] = data,
        },
    }.ToJsonString();

    [Fact]
    public async Task Webhook_MessageWithTheSecret_IsKeptOnceAndWakesTheReplyWorker()
    {
        var watch = Stopwatch.StartNew();
        var (status, _) = await _host.PostUpdateAsync(TextMessage(10001, "aiuto"));
        var (again, _) = await _host.PostUpdateAsync(TextMessage(10001, "aiuto")); // Telegram's redelivery of the same update

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (status, again));
        var kept = Assert.Single(await _host.KeptAsync());
        Assert.Equal("10001", kept.DeliveryId);
        Assert.Equal(ChannelKind.Telegram, kept.Reply.Channel);
        Assert.Equal(("123456789", "123456789", "aiuto"), (kept.Reply.Sender, kept.Reply.Conversation, kept.Reply.Text));
        Assert.Null(kept.Reply.ReplyTo);
        Assert.Null(kept.Reply.ActionNumber);
        // The worker polls every 30 s; the help reaching the chat within seconds means the webhook woke it.
        var help = await TelegramHost.WaitForAsync(() => Task.FromResult(_telegram.Posts.FirstOrDefault()), Patience, "the answer to the message");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"answered after {watch.Elapsed.TotalSeconds} s");
        Assert.Equal(123456789, help.ChatId);
        Assert.Single(_telegram.Posts);
    }

    [Fact]
    public async Task Webhook_ReplyToAMessage_KeepsTheRepliedToMessageId()
    {
        var (status, body) = await _host.PostUpdateAsync(TextMessage(10002, "fatto", replyTo: 41));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("", body);
        var kept = Assert.Single(await _host.KeptAsync());
        Assert.Equal(("10002", "fatto", "41"), (kept.DeliveryId, kept.Reply.Text, kept.Reply.ReplyTo));
    }

    [Fact]
    public async Task Webhook_KeyPress_IsKeptOnceWithItsActionAndAnsweredInTheResponse()
    {
        var (status, body) = await _host.PostUpdateAsync(Press(10003, "c1:2", messageId: 41));
        var (again, repeated) = await _host.PostUpdateAsync(Press(10003, "c1:2", messageId: 41));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (status, again));
        foreach (var answer in new[] { body, repeated })
        {
            var method = JsonDocument.Parse(answer).RootElement;
            Assert.Equal("answerCallbackQuery", method.GetProperty("method").GetString());
            Assert.Equal("4382bfdwdsb323b2d9", method.GetProperty("callback_query_id").GetString());
        }
        var kept = Assert.Single(await _host.KeptAsync());
        Assert.Equal("10003", kept.DeliveryId);
        Assert.Equal(("123456789", 2, "41", "123456789"), (kept.Reply.Sender, kept.Reply.ActionNumber, kept.Reply.ReplyTo, kept.Reply.Conversation));
        Assert.Null(kept.Reply.Text);
    }

    [Fact]
    public async Task Webhook_KeyPressThatIsNotOurs_IsAnsweredAndNotKept()
    {
        var (status, body) = await _host.PostUpdateAsync(Press(10004, "it-setup:done", messageId: 41, queryId: "q-foreign"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("q-foreign", JsonDocument.Parse(body).RootElement.GetProperty("callback_query_id").GetString());
        Assert.Empty(await _host.KeptAsync());
    }

    [Theory]
    [InlineData("""{"update_id":10005,"edited_message":{"message_id":5,"from":{"id":123456789,"is_bot":false,"first_name":"M"},"chat":{"id":123456789,"type":"private"},"date":1,"edit_date":2,"text":"fatto"}}""")]
    [InlineData("""{"update_id":10006,"message":{"message_id":5,"from":{"id":123456789,"is_bot":false,"first_name":"M"},"chat":{"id":-100200300,"title":"Team","type":"supergroup"},"date":1,"text":"fatto"}}""")]
    [InlineData("""{"update_id":10007,"message":{"message_id":5,"from":{"id":42,"is_bot":true,"first_name":"Other bot"},"chat":{"id":123456789,"type":"private"},"date":1,"text":"fatto"}}""")]
    [InlineData("""{"update_id":10008,"my_chat_member":{"chat":{"id":123456789,"type":"private"},"from":{"id":123456789,"is_bot":false,"first_name":"M"},"date":1,"old_chat_member":{"status":"member","user":{"id":7000000001,"is_bot":true,"first_name":"C"}},"new_chat_member":{"status":"kicked","user":{"id":7000000001,"is_bot":true,"first_name":"C"},"until_date":0}}}""")]
    public async Task Webhook_UpdatesThatAreNotAPersonsReply_AreAcknowledgedAndIgnored(string update)
    {
        var (status, _) = await _host.PostUpdateAsync(update);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(await _host.KeptAsync());
    }

    [Theory]
    [InlineData("not-the-secret", "is not the configured secret")]
    [InlineData("", "missing X-Telegram-Bot-Api-Secret-Token")]
    public async Task Webhook_WrongOrMissingSecret_Is401NothingKeptAndADenyRowWithoutTheBody(string secret, string reason)
    {
        var (status, _) = await _host.PostUpdateAsync(Press(10009, "c1:1", messageId: 41, queryId: "q-forged-77"), secret);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Empty(await _host.KeptAsync());
        var denied = Assert.Single(await _host.DeniedAsync());
        Assert.Equal("DENY", denied.Verdict);
        Assert.Contains(reason, denied.Detail, StringComparison.Ordinal);
        Assert.Contains("telegram", denied.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("10009", denied.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("q-forged-77", denied.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("123456789", denied.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_WrongSecretWithABodyThatIsNotJson_IsRefusedBeforeAnythingIsRead()
    {
        var (status, _) = await _host.PostUpdateAsync("{ this is not json", "not-the-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, status); // not 400: the body was never parsed
        Assert.Single(await _host.DeniedAsync());
    }

    [Fact]
    public async Task Webhook_BodyOver256KiB_IsRefused()
    {
        var (status, _) = await _host.PostUpdateAsync(TextMessage(10010, new string('x', 300 * 1024)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Empty(await _host.KeptAsync());
        Assert.Contains("256 KiB", Assert.Single(await _host.DeniedAsync()).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_TelegramNotConfigured_Is404WithWhatToSet()
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "POST";
        context.Response.Body = new MemoryStream();

        var result = await TelegramWebhook.HandleAsync(context.Request, CancellationToken.None);
        await result.ExecuteAsync(context);

        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        var problem = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Contains("Coordinator__Channels__Telegram__BotToken", problem, StringComparison.Ordinal);
        Assert.Contains("setWebhook", problem, StringComparison.Ordinal);
    }
}

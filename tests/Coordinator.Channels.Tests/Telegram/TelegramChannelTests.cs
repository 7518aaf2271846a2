using System.Text;
using Coordinator.Channels.Rendering;
using Coordinator.Channels.Telegram;
using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Testing.Loopback;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;

namespace Coordinator.Channels.Tests.Telegram;

/// <summary>The Telegram channel against a loopback Bot API that checks sendMessage's documented wire format.</summary>
public sealed class TelegramChannelTests : IAsyncLifetime
{
    internal const string Secret = "tg-webhook_secret-0123456789";
    internal const long MarcoChat = 123456789;

    private LoopbackTelegram _telegram = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _telegram = await LoopbackTelegram.StartAsync();
        _services = Services(_telegram.ApiBaseUrl.ToString(), _telegram.BotToken);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _telegram.DisposeAsync();
    }

    internal static Dictionary<string, string?> Settings(string apiBaseUrl, string token, string secret = Secret) => new()
    {
        ["Coordinator:Channels:Telegram:BotToken"] = token,
        ["Coordinator:Channels:Telegram:WebhookSecret"] = secret,
        ["Coordinator:Channels:Telegram:ApiBaseUrl"] = apiBaseUrl,
    };

    internal static ServiceProvider Services(string apiBaseUrl, string token, string secret = Secret)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(apiBaseUrl, token, secret)).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        Assert.True(services.AddTelegramChannel(configuration));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    internal static readonly Person Marco = new() { Id = "it.engineer", Name = "Marco Ferri", Channel = ChannelKind.Telegram, Telegram = MarcoChat, Language = "it", TimeZone = "Europe/Rome" };

    internal static ChannelSend Send(string address, long id = 1) => Messages.TaskSend(ChannelKind.Telegram, address, id, businessKey: "ACME <42> & Co_*");

    internal static RenderedMessage Render(ChannelSend send) =>
        new MessageRenderer(TemplateSet.BuiltIn, PersonDirectory.None).Render(send.Notification, Marco)!;

    private TelegramChannel Channel => _services.GetRequiredService<TelegramChannel>();

    [Fact]
    public async Task SendAsync_StepAssigned_PostsTheDocumentedRequestAndKeepsTheMessageId()
    {
        var send = Send("123456789");

        var receipt = await Channel.SendAsync(send, Marco, Render(send), CancellationToken.None);

        var post = Assert.Single(_telegram.Posts);
        Assert.True(_telegram.WireErrors == 0, string.Join("; ", _telegram.WireErrorReasons));
        Assert.Equal(MarcoChat, post.ChatId);
        Assert.Equal("1", receipt.MessageId);
        Assert.Equal(post.MessageId.ToString(System.Globalization.CultureInfo.InvariantCulture), receipt.MessageId);
        Assert.Equal("123456789", receipt.Conversation);
        // No parse mode: the text goes as it is (nothing to escape), the headline bold through an entity instead of its stars.
        Assert.StartsWith("Nuova attività: IT set-up\n", post.Text, StringComparison.Ordinal);
        Assert.Contains("ACME <42> & Co_*", post.Text, StringComparison.Ordinal);
        Assert.Contains("Scadenza lun 8 giu 2026, 17:00.", post.Text, StringComparison.Ordinal);
        var bold = Assert.Single(post.Entities!);
        Assert.Equal(("bold", 0, "Nuova attività: IT set-up".Length), (bold!["type"]!.GetValue<string>(), bold["offset"]!.GetValue<int>(), bold["length"]!.GetValue<int>()));
        var keys = post.Keyboard!.SelectMany(row => row!.AsArray()).ToList();
        Assert.Equal(["Fatto", "Bloccato", "Aggiungi una nota"], keys.Select(k => k!["text"]!.GetValue<string>()));
        Assert.Equal(["c1:1", "c1:2", "c1:3"], keys.Select(k => k!["callback_data"]!.GetValue<string>()));
        Assert.All(keys, k => Assert.DoesNotContain("it-setup", k!["callback_data"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Null(post.ReplyParameters);
    }

    [Fact]
    public async Task SendAsync_ADecisionWithManyLongOptions_KeepsEveryCallbackDataWithin64Bytes()
    {
        var options = Enumerable.Range(1, 30).Select(i => new MessageAction(i, ReplyIntent.Choose, new string('è', 120) + i, "option-" + new string('x', 200))).ToList();
        var message = Render(Send("123456789")) with { Actions = options };

        await Channel.SendAsync(Send("123456789"), Marco, message, CancellationToken.None);

        var post = Assert.Single(_telegram.Posts);
        Assert.True(_telegram.WireErrors == 0, string.Join("; ", _telegram.WireErrorReasons));
        var keys = post.Keyboard!.SelectMany(row => row!.AsArray()).ToList();
        Assert.Equal(TelegramChannel.MaxButtons, keys.Count);
        Assert.All(keys, k => Assert.InRange(Encoding.UTF8.GetByteCount(k!["callback_data"]!.GetValue<string>()), 1, 64));
        Assert.Equal(Enumerable.Range(1, TelegramChannel.MaxButtons), keys.Select(k => TelegramChannel.ActionNumberOf(k!["callback_data"]!.GetValue<string>())!.Value));
    }

    [Fact]
    public async Task SendAsync_Telegram429_ThrowsRateLimitedWithItsRetryAfterAndDoesNotRetryItself()
    {
        var send = Send("123456789");
        await Channel.SendAsync(send, Marco, Render(send), CancellationToken.None);

        var limited = await Assert.ThrowsAsync<ChannelRateLimitedException>(() => Channel.SendAsync(send, Marco, Render(send), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(1), limited.RetryAfter);
        Assert.Equal(1, _telegram.RateLimited);
        Assert.Equal(2, _telegram.Requests); // neither the package nor the resilience handler retried the 429
        Assert.Single(_telegram.Posts);
    }

    [Fact]
    public async Task SendAsync_ChatNotFound_IsRefusedForGood()
    {
        _telegram.UnknownChats[555] = true;
        var send = Send("555");

        var refused = await Assert.ThrowsAsync<ChannelRefusedException>(() => Channel.SendAsync(send, Marco, Render(send), CancellationToken.None));

        Assert.Contains("chat not found", refused.Message, StringComparison.Ordinal);
        Assert.Empty(_telegram.Posts);
    }

    [Fact]
    public async Task SendAsync_BotBlockedByTheUser_IsRefusedForGood()
    {
        _telegram.BlockedChats[MarcoChat] = true;
        var send = Send("123456789");

        var refused = await Assert.ThrowsAsync<ChannelRefusedException>(() => Channel.SendAsync(send, Marco, Render(send), CancellationToken.None));

        Assert.Contains("bot was blocked by the user", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, _telegram.Requests);
    }

    [Fact]
    public async Task SendAsync_AddressNotAChatId_IsRefusedWithoutACall()
    {
        var send = Send("@marco");

        var refused = await Assert.ThrowsAsync<ChannelRefusedException>(() => Channel.SendAsync(send, Marco, Render(send), CancellationToken.None));

        Assert.Contains("not a Telegram chat id", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, _telegram.Requests);
    }

    [Fact]
    public async Task SendAsync_WrongToken_FailsWithWhatToCheck()
    {
        await using var services = Services(_telegram.ApiBaseUrl.ToString(), "7000000002:AAHrevoked_revoked-revoked-01234567");
        var send = Send("123456789");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => services.GetRequiredService<TelegramChannel>().SendAsync(send, Marco, Render(send), CancellationToken.None));

        Assert.Contains("401 Unauthorized", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Coordinator__Channels__Telegram__BotToken", failure.Message, StringComparison.Ordinal);
        Assert.Contains("@BotFather", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_telegram.Posts);
    }

    [Fact]
    public async Task SendAsync_TelegramOutageOf503_IsRetriedByTheResilienceHandlerAndSentOnce()
    {
        _telegram.FailNext = 1;
        var send = Send("123456789");

        var receipt = await Channel.SendAsync(send, Marco, Render(send), CancellationToken.None);

        Assert.Equal(2, _telegram.Requests);
        Assert.Equal(0, _telegram.FailNext);
        var post = Assert.Single(_telegram.Posts);
        Assert.Equal(post.MessageId.ToString(System.Globalization.CultureInfo.InvariantCulture), receipt.MessageId);
    }

    [Fact]
    public async Task SendAsync_TelegramDownLongerThanTheRetries_FailsRetryablyWithoutSending()
    {
        _telegram.FailNext = 100;
        var send = Send("123456789");

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => Channel.SendAsync(send, Marco, Render(send), CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, failure.StatusCode);
        Assert.Empty(_telegram.Posts);
    }

    [Fact]
    public async Task AnswerAsync_ReplyToAMessage_RepliesToItInTheChat()
    {
        var reply = new InboundReply { Channel = ChannelKind.Telegram, DeliveryId = "9001", Sender = "123456789", Conversation = "123456789", Text = "fatto", ReplyTo = "41", ReceivedAt = DateTimeOffset.UtcNow };

        await Channel.AnswerAsync(reply, "✓ IT set-up: fatto. Grazie!", CancellationToken.None);

        var post = Assert.Single(_telegram.Posts);
        Assert.True(_telegram.WireErrors == 0, string.Join("; ", _telegram.WireErrorReasons));
        Assert.Equal((MarcoChat, "✓ IT set-up: fatto. Grazie!"), (post.ChatId, post.Text));
        Assert.Equal(41, post.ReplyParameters!["message_id"]!.GetValue<long>());
        Assert.True(post.ReplyParameters["allow_sending_without_reply"]!.GetValue<bool>());
        Assert.Null(post.Keyboard);
    }

    [Fact]
    public async Task AnswerAsync_PlainMessage_IsSentWithoutReplyParameters()
    {
        var reply = new InboundReply { Channel = ChannelKind.Telegram, DeliveryId = "9002", Sender = "123456789", Text = "/start", ReceivedAt = DateTimeOffset.UtcNow };

        await Channel.AnswerAsync(reply, "help", CancellationToken.None);

        var post = Assert.Single(_telegram.Posts);
        Assert.Equal((MarcoChat, "help"), (post.ChatId, post.Text));
        Assert.Null(post.ReplyParameters);
    }

    [Fact]
    public void Limits_Defaults_AreTelegramsPublishedOnes()
    {
        Assert.Equal(new ChannelLimits(1, 1, 30, 30), Channel.Limits);
        Assert.Equal(ChannelKind.Telegram, Channel.Kind);
        Assert.Same(Channel, Assert.Single(_services.GetServices<IChannel>()));
    }

    [Theory]
    [InlineData("", Secret, "BotToken is missing", "Coordinator__Channels__Telegram__BotToken")]
    [InlineData("xoxb-not-telegram", Secret, "is not a bot token", "35 characters")]
    [InlineData("123456789:short", Secret, "is not a bot token", "@BotFather")]
    [InlineData(LoopbackTelegram.DefaultToken, "", "WebhookSecret is missing", "Coordinator__Channels__Telegram__WebhookSecret")]
    [InlineData(LoopbackTelegram.DefaultToken, "has spaces and !", "is not a valid secret_token", "A-Z a-z 0-9 _ -")]
    public void Options_Incomplete_StopTheStartWithWhatToDo(string token, string secret, string problem, string fix)
    {
        using var services = Services("https://api.telegram.org", token, secret);

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TelegramOptions>>().Value);

        Assert.Contains(problem, failure.Message, StringComparison.Ordinal);
        Assert.Contains(fix, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ApiBaseUrlWithAPath_IsRefusedWithWhatToGive()
    {
        using var services = Services("https://api.telegram.org/bot123/", LoopbackTelegram.DefaultToken);

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TelegramOptions>>().Value);

        Assert.Contains("ApiBaseUrl 'https://api.telegram.org/bot123/' has a path", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Complete_AreValid()
    {
        using var services = Services("https://api.telegram.org/", LoopbackTelegram.DefaultToken, new string('a', 256));

        Assert.Equal(new Uri("https://api.telegram.org/"), services.GetRequiredService<IOptions<TelegramOptions>>().Value.ApiBaseUrl);
    }

    [Fact]
    public void Translate_BotApiErrors_AreWhatTheDispatcherExpects()
    {
        var limited = Assert.IsType<ChannelRateLimitedException>(TelegramChannel.Translate(
            new ApiRequestException("Too Many Requests: retry after 7", 429, new ResponseParameters { RetryAfter = 7 }), "1"));
        Assert.Equal(TimeSpan.FromSeconds(7), limited.RetryAfter);
        Assert.IsType<ChannelRefusedException>(TelegramChannel.Translate(new ApiRequestException("Forbidden: user is deactivated", 403), "1"));
        Assert.IsType<ChannelRefusedException>(TelegramChannel.Translate(new ApiRequestException("Bad Request: message is too long", 400), "1"));
        Assert.Contains("BotToken", Assert.IsType<InvalidOperationException>(TelegramChannel.Translate(new ApiRequestException("Not Found", 404), "1")).Message, StringComparison.Ordinal);
        var outage = Assert.IsType<HttpRequestException>(TelegramChannel.Translate(new ApiRequestException("Internal Server Error", 500), "1"));
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, outage.StatusCode);
    }

    [Theory]
    [InlineData("c1:1", 1)]
    [InlineData("c1:20", 20)]
    [InlineData("c1:0", null)]
    [InlineData("c1:-1", null)]
    [InlineData("c1:+1", null)]
    [InlineData("c1: 1", null)]
    [InlineData("c2:1", null)]
    [InlineData("c1:", null)]
    [InlineData("c1:123456789", null)]
    [InlineData("i-1/it-setup/done", null)]
    [InlineData(null, null)]
    public void ActionNumberOf_OnlyTheChannelsOwnTokens_StandForAnAction(string? data, int? number) =>
        Assert.Equal(number, TelegramChannel.ActionNumberOf(data));

    [Fact]
    public void Text_WithoutAStarredHeadline_IsSentAsItIsWithoutEntities()
    {
        var message = Render(Send("123456789")) with { Text = "Plain *not a headline\nsecond line" };

        var (text, entities) = TelegramChannel.Text(message);

        Assert.Equal("Plain *not a headline\nsecond line", text);
        Assert.Null(entities);
    }

    [Fact]
    public void Options_SecretOf257Characters_IsRefused()
    {
        using var services = Services("https://api.telegram.org", LoopbackTelegram.DefaultToken, new string('a', 257));

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TelegramOptions>>().Value);

        Assert.Contains("1-256 characters", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTelegramChannel_NothingConfigured_LeavesTheChannelOff()
    {
        var services = new ServiceCollection();

        Assert.False(services.AddTelegramChannel(new ConfigurationBuilder().Build()));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IChannel));
    }
}

using System.Globalization;
using System.Net;
using Coordinator.Channels.Rendering;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;

namespace Coordinator.Channels.Telegram;

/// <summary>
/// Telegram through the Bot API and the Telegram.Bot package: <c>sendMessage</c> to the person's chat id with the text
/// (the headline bold through an entity, no parse mode, so nothing in the text needs escaping) and an inline keyboard of
/// one button per action. A button's <c>callback_data</c> is an opaque token (<see cref="CallbackData"/>: the action's
/// number only); what it means is looked up from the sent message on the server, never trusted from the update. The
/// answer's <c>message_id</c> becomes the receipt, so replies to that message and presses on its buttons find their step.
/// </summary>
public sealed class TelegramChannel(IHttpClientFactory clients, IOptions<TelegramOptions> options) : IChannel
{
    /// <summary>The name of the client of <see cref="IHttpClientFactory"/> (resilience; the Bot API's URL is in the request).</summary>
    public const string HttpClientName = "Coordinator.Telegram";

    /// <summary>Telegram's longest message text (characters after entity parsing).</summary>
    internal const int MaxText = 4096;

    /// <summary>Keys of one inline keyboard the channel sends at most (Telegram allows 100).</summary>
    internal const int MaxButtons = 20;

    public ChannelKind Kind => ChannelKind.Telegram;

    public ChannelLimits Limits { get; } = new(
        options.Value.PerChatPerSecond, options.Value.ChatBurst, options.Value.PerBotPerSecond, options.Value.BotBurst);

    public async Task<ChannelReceipt> SendAsync(ChannelSend send, Person recipient, RenderedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(message);
        if (!long.TryParse(send.Address, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var chat))
            throw new ChannelRefusedException($"'{send.Address}' is not a Telegram chat id (a number such as 123456789).");
        var (text, entities) = Text(message);
        var sent = await CallAsync(bot => bot.SendMessage(chat, text,
            replyMarkup: Keyboard(message),
            entities: entities,
            linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true },
            cancellationToken: cancellationToken), send.Address).ConfigureAwait(false);
        return new ChannelReceipt(sent.Id.ToString(CultureInfo.InvariantCulture), sent.Chat.Id.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Answers in the reply's chat, as a reply to the message it answered when there was one (sent even if that message is gone).</summary>
    public async Task AnswerAsync(InboundReply reply, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(text);
        var to = reply.Conversation ?? reply.Sender;
        if (!long.TryParse(to, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var chat))
            throw new ChannelRefusedException($"'{to}' is not a Telegram chat id.");
        ReplyParameters? replyTo = int.TryParse(reply.ReplyTo, NumberStyles.None, CultureInfo.InvariantCulture, out var messageId)
            ? new ReplyParameters { MessageId = messageId, AllowSendingWithoutReply = true }
            : null;
        await CallAsync(bot => bot.SendMessage(chat, Truncate(text, MaxText),
            replyParameters: replyTo,
            linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true },
            cancellationToken: cancellationToken), to).ConfigureAwait(false);
    }

    /// <summary>The token a button carries: <c>c1:&lt;action number&gt;</c> (a version and the number, a few bytes of the 64 allowed).</summary>
    public static string CallbackData(MessageAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return CallbackPrefix + action.Number.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The action number a button's token stands for; null for a token this channel did not make.</summary>
    public static int? ActionNumberOf(string? callbackData) =>
        callbackData is { Length: > 3 and <= 8 } data && data.StartsWith(CallbackPrefix, StringComparison.Ordinal)
        && int.TryParse(data.AsSpan(CallbackPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : null;

    private const string CallbackPrefix = "c1:";

    /// <summary>One key per action, one per row (labels stay whole on a phone); null when the message offers none.</summary>
    internal static InlineKeyboardMarkup? Keyboard(RenderedMessage message) => message.Actions.Count == 0
        ? null
        : new InlineKeyboardMarkup(message.Actions.Take(MaxButtons)
            .Select(a => new[] { InlineKeyboardButton.WithCallbackData(Truncate(a.Label, 64), CallbackData(a)) }));

    /// <summary>The text without parse mode: a first line <c>*headline*</c> loses its stars and is bold through an entity instead.</summary>
    internal static (string Text, MessageEntity[]? Entities) Text(RenderedMessage message)
    {
        var text = message.Text;
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var first = newline < 0 ? text : text[..newline];
        if (first.Length > 2 && first[0] == '*' && first[^1] == '*' && first.IndexOf('*', 1) == first.Length - 1)
        {
            var headline = first[1..^1];
            text = Truncate(headline + text[first.Length..], MaxText);
            return (text, [new MessageEntity { Type = MessageEntityType.Bold, Offset = 0, Length = Math.Min(headline.Length, text.Length) }]);
        }
        return (Truncate(text, MaxText), null);
    }

    private async Task<T> CallAsync<T>(Func<TelegramBotClient, Task<T>> call, string chat)
    {
        var settings = options.Value;
        var baseUrl = settings.ApiBaseUrl.GetLeftPart(UriPartial.Authority);
        // The package's own retry of 429 is off: the dispatcher empties the chat's bucket for retry_after and the outbox waits.
        var botOptions = new TelegramBotClientOptions(settings.BotToken!, baseUrl == TelegramOptions.DefaultApiBaseUrl ? null : baseUrl) { RetryThreshold = 0, RetryCount = 0 };
        var bot = new TelegramBotClient(botOptions, clients.CreateClient(HttpClientName));
        try
        {
            return await call(bot).ConfigureAwait(false);
        }
        catch (ApiRequestException e)
        {
            throw Translate(e, chat);
        }
        catch (RequestException e)
        {
            // No Bot API answer: the network, a timeout, or a gateway's 5xx page that is not JSON.
            throw new HttpRequestException($"Telegram did not answer with the Bot API's JSON ({(e.HttpStatusCode is { } status ? (int)status + " " + status : "no response")}): {e.Message}", e, e.HttpStatusCode);
        }
    }

    /// <summary>The Bot API's error as the dispatcher understands it.</summary>
    internal static Exception Translate(ApiRequestException e, string chat)
    {
        var description = e.Message;
        return e.ErrorCode switch
        {
            429 => new ChannelRateLimitedException(TimeSpan.FromSeconds(Math.Max(1, e.Parameters?.RetryAfter ?? 1))),
            // Blocked by the user, kicked, deactivated, a bot that may not write first: the person must act, not the outbox.
            403 => new ChannelRefusedException($"Telegram refused the message to chat {chat}: {description} (the person has to open the bot and press Start again).", e),
            // A bad request (the chat not found, a text too long, a key's data refused) fails the same way every time.
            400 => new ChannelRefusedException($"Telegram refused the message to chat {chat}: {description}.", e),
            401 or 404 => new InvalidOperationException(
                $"Telegram refused the bot token ({e.ErrorCode} {description}): check Coordinator__Channels__Telegram__BotToken against @BotFather's /token (the whole '<bot id>:<35 characters>'), that the bot was not deleted or its token revoked, and that Coordinator__Channels__Telegram__ApiBaseUrl is unset or the Bot API server.", e),
            >= 500 => new HttpRequestException($"Telegram answered {e.ErrorCode}: {description}.", e, (HttpStatusCode)e.ErrorCode),
            _ => new InvalidOperationException($"Telegram answered {e.ErrorCode}: {description}.", e),
        };
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}

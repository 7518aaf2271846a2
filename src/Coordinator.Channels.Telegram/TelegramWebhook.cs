using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordinator.Channels.Webhooks;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Telegram;

/// <summary>
/// <c>POST /api/webhooks/telegram</c>: the Bot API's updates (<c>setWebhook</c> with this URL and a <c>secret_token</c>).
/// It checks <c>X-Telegram-Bot-Api-Secret-Token</c> before reading the body (a refusal: 401 and a
/// <c>webhook.denied</c> DENY audit row, nothing parsed or kept), keeps a person's message in a private chat and a press
/// on one of the bot's keys (a repeated <c>update_id</c> is one reply), and answers at once; the <c>ReplyWorker</c> turns
/// the reply into an event and answers in the chat. A key press is answered in the webhook's response
/// (<c>answerCallbackQuery</c>, the Bot API's "method in the webhook response"), so the key's spinner stops without a call.
/// </summary>
public static class TelegramWebhook
{
    public const string Route = "/api/webhooks/telegram";

    /// <summary>The header in which Telegram sends the webhook's <c>secret_token</c>.</summary>
    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";


    public static RouteHandlerBuilder MapTelegramWebhooks(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapWebhook(Route, "TelegramWebhook", "Telegram Bot API updates (authenticated by the webhook's secret token; not behind the API key)", HandleAsync)
            .Accepts<string>("application/json")
            .Produces(StatusCodes.Status200OK);

    /// <summary>The handler both hosts call (serve's route, the Functions trigger).</summary>
    public static async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = request.HttpContext.RequestServices;
        var options = services.GetService<IOptions<TelegramOptions>>()?.Value;
        if (options is not { IsConfigured: true } || services.GetService<ChannelAudit>() is not { } audit)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Telegram is not configured on this host",
                detail: "Set Coordinator__Channels__Telegram__BotToken and __WebhookSecret (see docs/channels-telegram.md), restart, and call setWebhook with this URL and the secret as secret_token.");
        }
        // The secret first: a request without it is not read at all.
        var verdict = WebhookSignatures.VerifyTelegram(options.WebhookSecret!, request.Headers[SecretHeader].FirstOrDefault());
        if (!verdict.Accepted)
        {
            await audit.DeniedAsync(ChannelKind.Telegram, verdict.Reason!, cancellationToken).ConfigureAwait(false);
            return Results.Json(new { error = "invalid secret token" }, statusCode: StatusCodes.Status401Unauthorized);
        }
        var body = await WebhookBody.ReadAsync(request, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            await audit.DeniedAsync(ChannelKind.Telegram, "the body is larger than 256 KiB", cancellationToken).ConfigureAwait(false);
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }
        JsonNode? update;
        try
        {
            update = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return Results.BadRequest(new { error = "the body is not JSON" });
        }
        if (update is not JsonObject)
            return Results.BadRequest(new { error = "the body is not an Update object" });

        var time = services.GetRequiredService<TimeProvider>();
        var reply = Message(update, time) ?? Press(update, time);
        if (reply is not null && await services.GetRequiredService<IChannelInbound>().AcceptAsync(reply, cancellationToken).ConfigureAwait(false))
            services.GetRequiredService<ReplySignal>().Notify();
        // Every press on a key is answered (a repeat too, and a key this bot did not make), so no spinner is left turning.
        if (Text(update["callback_query"]?["id"]) is { Length: > 0 } queryId)
            return Results.Json(new { method = "answerCallbackQuery", callback_query_id = queryId });
        return Results.Ok(); // anything else (edits, group chats, other bots, members joining): nothing to do
    }

    /// <summary>A person's message to the bot in their private chat: <c>message</c> with <c>chat.type</c> private, from someone not a bot.</summary>
    internal static InboundReply? Message(JsonNode update, TimeProvider time)
    {
        if (update["message"] is not JsonObject message || UpdateId(update) is not { } updateId)
            return null;
        if (message["from"] is not JsonObject from || Flag(from["is_bot"]) || ChatId(message) is not { } chat)
            return null;
        return new InboundReply
        {
            Channel = ChannelKind.Telegram,
            DeliveryId = updateId,
            Sender = chat,
            Text = Text(message["text"]) ?? Text(message["caption"]) ?? "",
            ReplyTo = Number(message["reply_to_message"]?["message_id"]),
            Conversation = chat,
            ReceivedAt = time.GetUtcNow(),
        };
    }

    /// <summary>A press on one of the bot's keys: <c>callback_query</c> with a token of <see cref="TelegramChannel.CallbackData"/> on a message in a private chat.</summary>
    internal static InboundReply? Press(JsonNode update, TimeProvider time)
    {
        if (update["callback_query"] is not JsonObject query || UpdateId(update) is not { } updateId)
            return null;
        if (TelegramChannel.ActionNumberOf(Text(query["data"])) is not { } number)
            return null;
        if (query["message"] is not JsonObject message || ChatId(message) is not { } chat)
            return null; // a key on an inline-mode message: not one the outbox sent
        return new InboundReply
        {
            Channel = ChannelKind.Telegram,
            DeliveryId = updateId,
            Sender = chat,
            ActionNumber = number,
            ReplyTo = Number(message["message_id"]),
            Conversation = chat,
            ReceivedAt = time.GetUtcNow(),
        };
    }

    private static string? UpdateId(JsonNode update) => Number(update["update_id"]);

    /// <summary>The chat id of a private chat (a person's handle); null for groups and channels, where anyone could press.</summary>
    private static string? ChatId(JsonNode message) =>
        message["chat"] is JsonObject chat && Text(chat["type"]) == "private" ? Number(chat["id"]) : null;

    private static string? Number(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<long>(out var number) ? number.ToString(CultureInfo.InvariantCulture) : null;

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static bool Flag(JsonNode? node) => node is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;

}

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coordinator.Testing.Loopback;

/// <summary>A message the loopback Telegram accepted.</summary>
/// <param name="Keyboard">The <c>reply_markup.inline_keyboard</c> rows, when there was one.</param>
/// <param name="ReplyParameters">The <c>reply_parameters</c>, when there were some.</param>
public sealed record TelegramPost(long ChatId, string Text, JsonArray? Keyboard, JsonArray? Entities, JsonObject? ReplyParameters, long MessageId, DateTimeOffset At);

/// <summary>
/// A loopback Telegram Bot API (<c>POST /bot&lt;token&gt;/sendMessage</c>) that checks the documented wire format and
/// answers with the Bot API's documented shapes: a wrong token answers 401 <c>Unauthorized</c>; the body is JSON
/// (<c>application/json</c>) with <c>chat_id</c> and a <c>text</c> of 1-4096 characters, and an
/// <c>reply_markup.inline_keyboard</c> of rows of keys each with a <c>text</c> and a <c>callback_data</c> of 1-64 bytes
/// (anything else is a wire error, answered 400). It answers <c>{ok:true, result: Message}</c> with a
/// <c>message_id</c> counted per chat; it enforces one message per second per chat (less a tolerance for the two
/// clocks) with 429 and <c>parameters.retry_after</c>; unknown chats answer 400 <c>chat not found</c>, blocked ones 403.
/// </summary>
public sealed class LoopbackTelegram : IAsyncDisposable
{
    /// <summary>A token of @BotFather's shape: the bot's id, a colon, 35 characters.</summary>
    public const string DefaultToken = "7000000001:AAHloopback_loopback-loopback012345";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<TelegramPost> _posts = new();
    private readonly Dictionary<long, DateTimeOffset> _lastByChat = [];
    private readonly Dictionary<long, long> _messageIds = [];
    private readonly object _gate = new();
    private int _rateLimited;
    private int _wireErrors;
    private int _failNext;
    private int _requests;

    private LoopbackTelegram(WebApplication app, string baseUrl, string token)
    {
        _app = app;
        ApiBaseUrl = new Uri(baseUrl);
        BotToken = token;
    }

    /// <summary>The Bot API's base (scheme and authority; the methods are at <c>/bot&lt;token&gt;/&lt;method&gt;</c>).</summary>
    public Uri ApiBaseUrl { get; }

    public string BotToken { get; }

    /// <summary>Messages per second one chat accepts.</summary>
    public double PerChatPerSecond { get; set; } = 1;

    /// <summary>Chats that do not exist (sending to them answers 400 <c>Bad Request: chat not found</c>).</summary>
    public ConcurrentDictionary<long, bool> UnknownChats { get; } = new();

    /// <summary>Chats whose person blocked the bot (sending to them answers 403).</summary>
    public ConcurrentDictionary<long, bool> BlockedChats { get; } = new();

    /// <summary>When set, the next this-many well-formed requests answer 503 (an outage).</summary>
    public int FailNext
    {
        get => Volatile.Read(ref _failNext);
        set => Volatile.Write(ref _failNext, value);
    }

    public IReadOnlyList<TelegramPost> Posts => [.. _posts];

    /// <summary>How many sendMessage requests arrived (any answer).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>How many messages were refused with 429.</summary>
    public int RateLimited => Volatile.Read(ref _rateLimited);

    /// <summary>How many requests broke the wire format (wrong path, method, content type, missing or malformed fields).</summary>
    public int WireErrors => Volatile.Read(ref _wireErrors);

    /// <summary>What the wire errors were, for the test's message.</summary>
    public ConcurrentQueue<string> WireErrorReasons { get; } = new();

    public static async Task<LoopbackTelegram> StartAsync(string token = DefaultToken)
    {
        var port = ThrowawayAzurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var telegram = new LoopbackTelegram(app, $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", token);
        app.MapPost("/{bot}/sendMessage", (HttpRequest request, string bot) => telegram.SendMessageAsync(request, bot));
        app.MapFallback((HttpContext context) => telegram.WireError($"no such method: {context.Request.Method} {context.Request.Path}", 404, "Not Found"));
        await app.StartAsync().ConfigureAwait(false);
        return telegram;
    }

    private async Task<IResult> SendMessageAsync(HttpRequest request, string bot)
    {
        Interlocked.Increment(ref _requests);
        if (bot != "bot" + BotToken)
            return Error(401, "Unauthorized");
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.Ordinal))
            return WireError($"content type {request.ContentType}");
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return WireError("the body is not JSON");
        }
        if (body?["chat_id"] is not JsonValue chatValue || !chatValue.TryGetValue<long>(out var chat))
            return WireError("chat_id is missing or not a number", description: "Bad Request: chat_id is empty");
        if (body["text"]?.GetValueKind() != JsonValueKind.String || body["text"]!.GetValue<string>() is not { Length: > 0 and <= 4096 } text)
            return WireError("text is missing, empty or longer than 4096", description: "Bad Request: message text is empty");
        if (body["parse_mode"] is not null)
            return WireError("parse_mode is set: the text would need escaping");
        JsonArray? keyboard = null;
        if (body["reply_markup"] is { } markup)
        {
            if (markup["inline_keyboard"] is not JsonArray rows || rows.Count == 0)
                return WireError("reply_markup without inline_keyboard rows");
            foreach (var row in rows)
            {
                if (row is not JsonArray { Count: > 0 } keys)
                    return WireError("an inline_keyboard row is not a non-empty array");
                foreach (var key in keys)
                {
                    if (key?["text"]?.GetValueKind() != JsonValueKind.String || key["text"]!.GetValue<string>().Length == 0)
                        return WireError("a key without text", description: "Bad Request: text buttons are unallowed in the inline keyboard");
                    if (key["callback_data"]?.GetValueKind() != JsonValueKind.String
                        || Encoding.UTF8.GetByteCount(key["callback_data"]!.GetValue<string>()) is < 1 or > 64)
                        return WireError("callback_data missing or not 1-64 bytes", description: "Bad Request: BUTTON_DATA_INVALID");
                }
            }
            keyboard = rows;
        }
        var replyParameters = body["reply_parameters"] as JsonObject;
        if (replyParameters is not null && (replyParameters["message_id"] is not JsonValue id || !id.TryGetValue<long>(out _)))
            return WireError("reply_parameters without a message_id");
        var entities = body["entities"] as JsonArray;
        if (FailNext > 0 && Interlocked.Decrement(ref _failNext) >= 0)
            return Results.Text("<html><body>503 Service Temporarily Unavailable</body></html>", "text/html", statusCode: 503);
        if (UnknownChats.ContainsKey(chat))
            return Error(400, "Bad Request: chat not found");
        if (BlockedChats.ContainsKey(chat))
            return Error(403, "Forbidden: bot was blocked by the user");
        var now = DateTimeOffset.UtcNow;
        long messageId;
        lock (_gate)
        {
            var interval = TimeSpan.FromSeconds(1 / PerChatPerSecond) - TimeSpan.FromMilliseconds(20);
            if (_lastByChat.TryGetValue(chat, out var last) && now - last < interval)
            {
                Interlocked.Increment(ref _rateLimited);
                var wait = Math.Max(1, (int)Math.Ceiling((interval - (now - last)).TotalSeconds));
                return Results.Json(new JsonObject
                {
                    ["ok"] = false,
                    ["error_code"] = 429,
                    ["description"] = $"Too Many Requests: retry after {wait.ToString(CultureInfo.InvariantCulture)}",
                    ["parameters"] = new JsonObject { ["retry_after"] = wait },
                }, statusCode: 429);
            }
            _lastByChat[chat] = now;
            messageId = _messageIds[chat] = _messageIds.GetValueOrDefault(chat) + 1;
        }
        _posts.Enqueue(new TelegramPost(chat, text, keyboard, entities, replyParameters, messageId, now));
        var result = new JsonObject
        {
            ["message_id"] = messageId,
            ["from"] = new JsonObject { ["id"] = long.Parse(BotToken.Split(':')[0], CultureInfo.InvariantCulture), ["is_bot"] = true, ["first_name"] = "Coordinator", ["username"] = "coordinator_loopback_bot" },
            ["chat"] = new JsonObject { ["id"] = chat, ["first_name"] = "Person", ["type"] = "private" },
            ["date"] = now.ToUnixTimeSeconds(),
            ["text"] = text,
        };
        if (keyboard is not null)
            result["reply_markup"] = new JsonObject { ["inline_keyboard"] = keyboard.DeepClone() };
        return Results.Json(new JsonObject { ["ok"] = true, ["result"] = result });
    }

    private static IResult Error(int code, string description) =>
        Results.Json(new JsonObject { ["ok"] = false, ["error_code"] = code, ["description"] = description }, statusCode: code);

    private IResult WireError(string reason, int code = 400, string? description = null)
    {
        Interlocked.Increment(ref _wireErrors);
        WireErrorReasons.Enqueue(reason);
        return Error(code, description ?? "Bad Request: " + reason);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

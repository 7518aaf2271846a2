using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordinator.Channels.Rendering;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Slack;

/// <summary>
/// Slack through its Web API: <c>POST {ApiBaseUrl}chat.postMessage</c> with <c>Authorization: Bearer</c> and JSON
/// <c>{channel: &lt;user id&gt;, text, blocks}</c> (posting to a user id lands in the app's direct message with them);
/// the answer's <c>ts</c> and <c>channel</c> become the receipt, so replies in that thread and button presses on that
/// message find their step. Buttons carry the action's number only (<c>value</c>); what it means is looked up from the
/// message, never trusted from the request.
/// </summary>
public sealed class SlackChannel(IHttpClientFactory clients, IOptions<SlackOptions> options) : IChannel
{
    /// <summary>The name of the client of <see cref="IHttpClientFactory"/> (base address, token, resilience).</summary>
    public const string HttpClientName = "Coordinator.Slack";

    // Errors that another try will not fix: the message is given up (it stays in the inbox).
    private static readonly HashSet<string> Permanent = new(StringComparer.Ordinal)
    {
        "channel_not_found", "user_not_found", "not_in_channel", "is_archived", "user_disabled", "cannot_dm_bot",
        "msg_too_long", "no_text", "invalid_blocks", "too_many_attachments", "restricted_action", "messages_tab_disabled",
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public ChannelKind Kind => ChannelKind.Slack;

    public ChannelLimits Limits { get; } = new(
        options.Value.PerConversationPerSecond, options.Value.ConversationBurst, options.Value.PerWorkspacePerSecond, options.Value.WorkspaceBurst);

    public async Task<ChannelReceipt> SendAsync(ChannelSend send, Person recipient, RenderedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(message);
        var client = clients.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat.postMessage")
        {
            Content = JsonContent(Payload(send.Address, message)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.BotToken);
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
            throw new ChannelRateLimitedException(RetryAfter(response));
        if ((int)response.StatusCode >= 500)
            throw new HttpRequestException($"Slack answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonNode? answer;
        try
        {
            answer = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            throw new HttpRequestException($"Slack answered {(int)response.StatusCode} with a body that is not JSON.");
        }
        if (answer?["ok"]?.GetValue<bool>() == true && answer["ts"]?.GetValue<string>() is { Length: > 0 } ts)
            return new ChannelReceipt(ts, answer["channel"]?.GetValue<string>());
        var error = answer?["error"]?.GetValue<string>() ?? $"HTTP {(int)response.StatusCode} without ok:true";
        if (error == "ratelimited")
            throw new ChannelRateLimitedException(RetryAfter(response));
        if (Permanent.Contains(error))
            throw new ChannelRefusedException($"Slack refused the message to {send.Address}: {error}");
        throw new InvalidOperationException(error is "invalid_auth" or "not_authed" or "token_revoked" or "missing_scope"
            ? $"Slack refused the bot token ({error}): check Coordinator__Channels__Slack__BotToken and the app's chat:write and im:write scopes."
            : $"Slack answered ok:false, error '{error}'.");
    }

    /// <summary>Answers in the reply's conversation, in its thread when it had one (or was a button on a message).</summary>
    public async Task AnswerAsync(InboundReply reply, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(text);
        var payload = new JsonObject { ["channel"] = reply.Conversation ?? reply.Sender, ["text"] = Escape(text), ["unfurl_links"] = false };
        if (reply.ReplyTo is { } thread)
            payload["thread_ts"] = thread;
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat.postMessage") { Content = JsonContent(payload) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.BotToken);
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
            throw new ChannelRateLimitedException(RetryAfter(response));
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"Slack answered {(int)response.StatusCode} to the acknowledgement.", null, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        if (answer?["ok"]?.GetValue<bool>() != true)
            throw new InvalidOperationException($"Slack refused the acknowledgement: {answer?["error"]?.GetValue<string>() ?? "no ok:true"}.");
    }

    /// <summary>The <c>chat.postMessage</c> body: the text (the notification's fallback), a section, its facts, and the buttons.</summary>
    public static JsonObject Payload(string channel, RenderedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Escape(message.Text) } },
        };
        if (message.Actions.Count > 0)
        {
            var buttons = new JsonArray();
            foreach (var action in message.Actions.Take(25))
            {
                var number = action.Number.ToString(CultureInfo.InvariantCulture);
                var button = new JsonObject
                {
                    ["type"] = "button",
                    ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Truncate(action.Label, 75) },
                    ["action_id"] = $"coordinator.{IntentName(action.Intent)}.{number}",
                    ["value"] = number,
                };
                if (action.Intent == ReplyIntent.Done)
                    button["style"] = "primary";
                buttons.Add(button);
            }
            blocks.Add(new JsonObject { ["type"] = "actions", ["block_id"] = "coordinator.actions", ["elements"] = buttons });
        }
        return new JsonObject
        {
            ["channel"] = channel,
            ["text"] = Escape(message.Text),
            ["blocks"] = blocks,
            ["unfurl_links"] = false,
        };
    }

    internal static string IntentName(ReplyIntent intent) => intent switch
    {
        ReplyIntent.Done => "done",
        ReplyIntent.Block => "blocked",
        ReplyIntent.Note => "note",
        _ => "choose",
    };

    /// <summary>Slack's three control characters in text (its formatting guide).</summary>
    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static TimeSpan RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta is { } delta ? delta
        : response.Headers.RetryAfter?.Date is { } date ? Max(date - DateTimeOffset.UtcNow, TimeSpan.Zero)
        : TimeSpan.FromSeconds(1);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static StringContent JsonContent(JsonObject payload) =>
        new(payload.ToJsonString(Json), System.Text.Encoding.UTF8, "application/json");
}

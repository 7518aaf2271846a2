using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordinator.Channels.Rendering;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Teams;

/// <summary>
/// Microsoft Teams through the Bot Connector REST API: <c>POST {service_url}v3/conversations/{conversation}/activities</c>
/// with the bot's token and a <c>message</c> activity whose attachment is an Adaptive Card (the headline, the text, the
/// facts, one <c>Action.Submit</c> per action). The card's actions carry only the action's number; what it means is
/// looked up from the sent message, whose activity id (the receipt) Teams puts in the press's <c>replyToId</c>.
/// The person's conversation and service URL come from the people directory (<c>teams:</c>).
/// </summary>
public sealed class TeamsChannel(IHttpClientFactory clients, TeamsTokenSource tokens, IOptions<TeamsOptions> options) : IChannel
{
    public const string HttpClientName = "Coordinator.Teams.Connector";

    /// <summary>The marker of the card's submit data (the number sits beside it), so other cards' submits are not taken for ours.</summary>
    public const string SubmitMarker = "c1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public ChannelKind Kind => ChannelKind.Teams;

    public ChannelLimits Limits { get; } = new(
        options.Value.PerConversationPerSecond, options.Value.ConversationBurst, options.Value.PerBotPerSecond, options.Value.BotBurst);

    public async Task<ChannelReceipt> SendAsync(ChannelSend send, Person recipient, RenderedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(message);
        if (recipient.Teams is not { } teams)
            throw new ChannelRefusedException($"{recipient.Id} has no teams: address in the people directory.");
        var id = await PostAsync(teams.ServiceUrl, send.Address, null, Activity(message), cancellationToken).ConfigureAwait(false);
        return new ChannelReceipt(id, send.Address);
    }

    /// <summary>Answers in the reply's conversation, as a reply to the activity it answered when there is one.</summary>
    public async Task AnswerAsync(InboundReply reply, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(text);
        if (reply.ServiceUrl is not { } serviceUrl || !Uri.TryCreate(serviceUrl.EndsWith('/') ? serviceUrl : serviceUrl + "/", UriKind.Absolute, out var service))
            throw new ChannelRefusedException("The Teams reply has no service URL to answer on.");
        var activity = new JsonObject { ["type"] = "message", ["text"] = text, ["textFormat"] = "plain" };
        if (reply.ReplyTo is { } replyTo)
            activity["replyToId"] = replyTo;
        await PostAsync(service, reply.Conversation ?? reply.Sender, reply.ReplyTo, activity, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The <c>message</c> activity: the text (what notifications and old clients show) and the Adaptive Card.</summary>
    public static JsonObject Activity(RenderedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = message.Headline.Trim('*', ' '), ["weight"] = "Bolder", ["size"] = "Medium", ["wrap"] = true },
        };
        // The text's first line is the headline (as *headline* for chat clients): the card shows it as its title instead.
        var lines = message.Text.Split('\n', 2);
        var rest = lines[0].Trim('*', ' ') == message.Headline.Trim('*', ' ') ? (lines.Length > 1 ? lines[1].Trim() : "") : message.Text;
        if (rest.Length > 0)
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = rest, ["wrap"] = true });
        if (message.Facts.Count > 0)
        {
            body.Add(new JsonObject
            {
                ["type"] = "FactSet",
                ["facts"] = new JsonArray([.. message.Facts.Select(f => (JsonNode)new JsonObject { ["title"] = f.Key, ["value"] = f.Value })]),
            });
        }
        var card = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["version"] = "1.4",
            ["body"] = body,
        };
        if (message.Actions.Count > 0)
        {
            card["actions"] = new JsonArray([.. message.Actions.Take(6).Select(a => (JsonNode)new JsonObject
            {
                ["type"] = "Action.Submit",
                ["title"] = a.Label,
                ["style"] = a.Intent == ReplyIntent.Done ? "positive" : "default",
                ["data"] = new JsonObject { ["coordinator"] = SubmitMarker, ["action"] = a.Number },
            })]);
        }
        return new JsonObject
        {
            ["type"] = "message",
            ["text"] = message.Text,
            ["textFormat"] = "plain",
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["contentType"] = "application/vnd.microsoft.card.adaptive",
                ["content"] = card,
            }),
        };
    }

    private async Task<string> PostAsync(Uri serviceUrl, string conversation, string? replyTo, JsonObject activity, CancellationToken cancellationToken)
    {
        var path = $"v3/conversations/{Uri.EscapeDataString(conversation)}/activities" + (replyTo is null ? "" : "/" + Uri.EscapeDataString(replyTo));
        var url = new Uri(serviceUrl.ToString().EndsWith('/') ? serviceUrl : new Uri(serviceUrl + "/"), path);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(activity.ToJsonString(Json), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.TokenAsync(cancellationToken).ConfigureAwait(false));
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.TooManyRequests:
                throw new ChannelRateLimitedException(RetryAfter(response));
            case HttpStatusCode.Unauthorized:
                tokens.Invalidate();
                throw new HttpRequestException("The Bot Connector refused the bot's token (401); a new one is taken on the next try.", null, response.StatusCode);
            case HttpStatusCode.Forbidden or HttpStatusCode.NotFound:
                throw new ChannelRefusedException(
                    $"Teams refused the message to conversation {conversation} ({(int)response.StatusCode} {ErrorOf(text)}): the bot may have been removed from the chat, or the directory's teams.conversation or service_url is wrong.");
        }
        if (!response.IsSuccessStatusCode)
        {
            throw (int)response.StatusCode >= 500
                ? new HttpRequestException($"The Bot Connector answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode)
                : new ChannelRefusedException($"Teams refused the message ({(int)response.StatusCode} {ErrorOf(text)}).");
        }
        try
        {
            return JsonNode.Parse(text)?["id"]?.GetValue<string>() is { Length: > 0 } id
                ? id
                : throw new HttpRequestException($"The Bot Connector answered {(int)response.StatusCode} without the activity's id.");
        }
        catch (JsonException)
        {
            throw new HttpRequestException($"The Bot Connector answered {(int)response.StatusCode} with a body that is not JSON.");
        }
    }

    private static string ErrorOf(string body)
    {
        try
        {
            var error = JsonNode.Parse(body)?["error"];
            return error is null ? "" : $"{error["code"]?.GetValue<string>()}: {error["message"]?.GetValue<string>()}";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static TimeSpan RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta is { } delta ? delta
        : response.Headers.RetryAfter?.Date is { } date && date > DateTimeOffset.UtcNow ? date - DateTimeOffset.UtcNow
        : TimeSpan.FromSeconds(1);

    /// <summary>The action number of one of our cards' submits (<c>value</c> of the activity), else null.</summary>
    internal static int? SubmittedAction(JsonNode? value) =>
        value is JsonObject data && data["coordinator"] is JsonValue marker && marker.TryGetValue<string>(out var m) && m == SubmitMarker
            && data["action"] is JsonValue action
            && (action.TryGetValue<int>(out var number) || (action.TryGetValue<string>(out var digits) && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out number)))
            ? number
            : null;
}

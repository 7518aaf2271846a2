using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Coordinator.Channels.Webhooks;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Teams;

/// <summary>
/// <c>POST /api/webhooks/teams</c>: the Bot Framework's activities (the Azure Bot's messaging endpoint). The bearer
/// token is checked before the body is read, the activity's channel endorsement and service URL right after
/// (<see cref="TeamsAuthenticator"/>; a refusal: 401 and a <c>webhook.denied</c> DENY audit row). A <c>message</c>
/// (typed text, or the submit of one of our cards) is kept once per activity id and answered later by the reply
/// worker; the request gets its 200 at once. Other activities (the bot installed in a chat, typing) change nothing;
/// an installation is logged with its conversation id, which is what the people directory needs.
/// </summary>
public static partial class TeamsWebhook
{
    public const string Route = "/api/webhooks/teams";


    public static RouteHandlerBuilder MapTeamsWebhooks(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapWebhook(Route, "TeamsWebhook", "Microsoft Teams activities from the Bot Framework (a Bot Framework JWT; not behind the API key)", HandleAsync)
            .Accepts<string>("application/json")
            .Produces(StatusCodes.Status200OK);

    /// <summary>The handler both hosts call (serve's route, the Functions trigger).</summary>
    public static async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = request.HttpContext.RequestServices;
        if (services.GetService<IOptions<TeamsOptions>>()?.Value is not { IsConfigured: true }
            || services.GetService<TeamsAuthenticator>() is not { } authenticator || services.GetService<ChannelAudit>() is not { } audit)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Microsoft Teams is not configured on this host",
                detail: "Set Coordinator__Channels__Teams__AppId and __AppPassword (see the Teams set-up in docs/channels.md) and restart.");
        }
        var (verdict, token) = await authenticator.ValidateTokenAsync(request.Headers.Authorization.FirstOrDefault(), cancellationToken).ConfigureAwait(false);
        if (!verdict.Accepted || token is null)
            return await DenyAsync(audit, verdict.Reason!, cancellationToken).ConfigureAwait(false);

        var body = await WebhookBody.ReadAsync(request, cancellationToken).ConfigureAwait(false);
        if (body is null)
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        JsonObject? activity = null;
        try
        {
            activity = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
        }
        if (activity is null)
            return Results.BadRequest(new { error = "the body is not a Bot Framework activity" });
        var check = TeamsAuthenticator.CheckActivity(token, Text(activity["channelId"]), Text(activity["serviceUrl"]));
        if (!check.Accepted)
            return await DenyAsync(audit, check.Reason!, cancellationToken).ConfigureAwait(false);

        var time = services.GetRequiredService<TimeProvider>();
        switch (Text(activity["type"]))
        {
            case "message":
                if (Reply(activity, time) is { } reply && await services.GetRequiredService<IChannelInbound>().AcceptAsync(reply, cancellationToken).ConfigureAwait(false))
                    services.GetRequiredService<ReplySignal>().Notify();
                break;
            case "installationUpdate" or "conversationUpdate" when Text(activity["conversation"]?["id"]) is { } conversation:
                LogConversation(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TeamsWebhook).FullName!),
                    Text(activity["type"])!, conversation, Text(activity["serviceUrl"]) ?? "", Text(activity["from"]?["aadObjectId"]) ?? Text(activity["from"]?["id"]) ?? "");
                break;
        }
        return Results.Ok();
    }

    /// <summary>
    /// A person's message or card submit. The sender is the conversation (the personal chat with the bot, which the
    /// directory holds as <c>teams.conversation</c>), in a group chat the user (<c>teams.user</c>: their AAD object id).
    /// </summary>
    internal static InboundReply? Reply(JsonObject activity, TimeProvider time)
    {
        if (Text(activity["id"]) is not { Length: > 0 } id || Text(activity["conversation"]?["id"]) is not { Length: > 0 } conversation)
            return null;
        if (Text(activity["from"]?["role"]) == "bot")
            return null;
        var personal = Text(activity["conversation"]?["conversationType"]) is null or "personal";
        var sender = personal ? conversation : Text(activity["from"]?["aadObjectId"]) ?? Text(activity["from"]?["id"]);
        if (string.IsNullOrEmpty(sender))
            return null;
        var action = TeamsChannel.SubmittedAction(activity["value"]);
        var text = action is null ? WithoutMentions(Text(activity["text"]) ?? "") : null;
        if (action is null && string.IsNullOrWhiteSpace(text))
            return null; // a submit of someone else's card, a reaction: nothing a person said to us
        return new InboundReply
        {
            Channel = ChannelKind.Teams,
            DeliveryId = id,
            Sender = sender,
            Text = text,
            ActionNumber = action,
            ReplyTo = Text(activity["replyToId"]),
            Conversation = conversation,
            ServiceUrl = Text(activity["serviceUrl"]),
            ReceivedAt = time.GetUtcNow(),
        };
    }

    private static async Task<IResult> DenyAsync(ChannelAudit audit, string reason, CancellationToken cancellationToken)
    {
        await audit.DeniedAsync(ChannelKind.Teams, reason, cancellationToken).ConfigureAwait(false);
        return Results.Json(new { error = "unauthorized" }, statusCode: StatusCodes.Status401Unauthorized);
    }

    /// <summary>Teams puts <c>&lt;at&gt;Bot&lt;/at&gt;</c> in front of a message that mentions the bot.</summary>
    private static string WithoutMentions(string text) => Mention().Replace(text, "").Trim();

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;


    [GeneratedRegex("<at>[^<]*</at>", RegexOptions.IgnoreCase)]
    private static partial Regex Mention();

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Teams: {Type} in conversation {Conversation} (service {ServiceUrl}, user {User}); a person's personal chat goes into people.yaml as teams: {{ conversation, service_url }}")]
    private static partial void LogConversation(ILogger logger, string type, string conversation, string serviceUrl, string user);
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordinator.Channels.Webhooks;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Slack;

/// <summary>
/// <c>POST /api/webhooks/slack</c>: the Events API (JSON: the <c>url_verification</c> challenge, and direct messages
/// to the app) and interactivity (form posts with <c>payload=</c>: button presses). It checks Slack's v0 signature on
/// the raw body before reading anything (a refusal: 401 and a <c>webhook.denied</c> DENY audit row), keeps the reply
/// (a repeated <c>event_id</c> is one reply, whatever <c>X-Slack-Retry-Num</c> says) and answers at once; the
/// <c>ReplyWorker</c> turns it into an event and answers in the thread.
/// </summary>
public static class SlackWebhook
{
    public const string Route = "/api/webhooks/slack";


    public static RouteHandlerBuilder MapSlackWebhooks(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapWebhook(Route, "SlackWebhook", "Slack Events API and interactivity (signed by Slack; not behind the API key)", HandleAsync)
            .Accepts<string>("application/json", "application/x-www-form-urlencoded")
            .Produces(StatusCodes.Status200OK);

    /// <summary>The handler both hosts call (serve's route, the Functions trigger).</summary>
    public static async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = request.HttpContext.RequestServices;
        var options = services.GetService<IOptions<SlackOptions>>()?.Value;
        if (options is not { IsConfigured: true } || services.GetService<ChannelAudit>() is not { } audit)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Slack is not configured on this host",
                detail: "Set Coordinator__Channels__Slack__BotToken and __SigningSecret (see the Slack set-up in docs/channels.md) and restart.");
        }
        var time = services.GetRequiredService<TimeProvider>();
        var body = await WebhookBody.ReadAsync(request, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            await audit.DeniedAsync(ChannelKind.Slack, "the body is larger than 256 KiB", cancellationToken).ConfigureAwait(false);
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }
        var verdict = WebhookSignatures.VerifySlack(options.SigningSecret!,
            request.Headers["X-Slack-Request-Timestamp"].FirstOrDefault(), request.Headers["X-Slack-Signature"].FirstOrDefault(), body, time.GetUtcNow());
        if (!verdict.Accepted)
        {
            await audit.DeniedAsync(ChannelKind.Slack, verdict.Reason!, cancellationToken).ConfigureAwait(false);
            return Results.Json(new { error = "invalid signature" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        var reply = request.HasFormContentType ? Interaction(body, time) : null;
        if (!request.HasFormContentType)
        {
            JsonNode? json;
            try
            {
                json = JsonNode.Parse(body);
            }
            catch (JsonException)
            {
                return Results.BadRequest(new { error = "the body is not JSON" });
            }
            switch (json?["type"]?.GetValue<string>())
            {
                case "url_verification":
                    return Results.Json(new { challenge = json["challenge"]?.GetValue<string>() ?? "" });
                case "event_callback":
                    reply = Message(json, time);
                    break;
            }
        }
        if (reply is null)
            return Results.Ok(); // not something a person said to the app (its own messages, edits, other events)
        if (await services.GetRequiredService<IChannelInbound>().AcceptAsync(reply, cancellationToken).ConfigureAwait(false))
            services.GetRequiredService<ReplySignal>().Notify();
        return Results.Ok();
    }

    /// <summary>A direct message to the app: <c>event.type = message</c> from a person (no <c>bot_id</c>, no <c>subtype</c>).</summary>
    internal static InboundReply? Message(JsonNode json, TimeProvider time)
    {
        var e = json["event"];
        if (e?["type"]?.GetValue<string>() != "message" || e["bot_id"] is not null || e["subtype"] is not null)
            return null;
        if (json["event_id"]?.GetValue<string>() is not { Length: > 0 } eventId || e["user"]?.GetValue<string>() is not { Length: > 0 } user)
            return null;
        return new InboundReply
        {
            Channel = ChannelKind.Slack,
            DeliveryId = eventId,
            Sender = user,
            Text = e["text"]?.GetValue<string>() ?? "",
            ReplyTo = e["thread_ts"]?.GetValue<string>(),
            Conversation = e["channel"]?.GetValue<string>(),
            ReceivedAt = time.GetUtcNow(),
        };
    }

    /// <summary>A button press: <c>payload</c> of type <c>block_actions</c> with one of the app's <c>coordinator.*</c> actions.</summary>
    internal static InboundReply? Interaction(byte[] body, TimeProvider time)
    {
        var form = QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(body));
        if (!form.TryGetValue("payload", out var payload))
            return null;
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(payload.ToString());
        }
        catch (JsonException)
        {
            return null;
        }
        if (json?["type"]?.GetValue<string>() != "block_actions" || json["actions"] is not JsonArray { Count: > 0 } actions)
            return null;
        var action = actions[0];
        if (action?["action_id"]?.GetValue<string>() is not { } id || !id.StartsWith("coordinator.", StringComparison.Ordinal)
            || !int.TryParse(action["value"]?.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return null;
        if (json["user"]?["id"]?.GetValue<string>() is not { Length: > 0 } user)
            return null;
        // One press is one trigger; Slack does not retry interactions, but a double click sends two (two presses, two triggers).
        var delivery = json["trigger_id"]?.GetValue<string>() ?? action["action_ts"]?.GetValue<string>();
        if (string.IsNullOrEmpty(delivery))
            return null;
        return new InboundReply
        {
            Channel = ChannelKind.Slack,
            DeliveryId = "interaction-" + delivery,
            Sender = user,
            ActionNumber = number,
            ReplyTo = json["container"]?["message_ts"]?.GetValue<string>() ?? json["message"]?["ts"]?.GetValue<string>(),
            Conversation = json["channel"]?["id"]?.GetValue<string>() ?? json["container"]?["channel_id"]?.GetValue<string>(),
            ReceivedAt = time.GetUtcNow(),
        };
    }

}

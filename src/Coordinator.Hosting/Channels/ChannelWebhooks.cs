using Coordinator.Channels.Slack;
using Coordinator.Channels.Teams;
using Coordinator.Channels.Telegram;
using Coordinator.Channels.WhatsApp;
using Coordinator.Crm.HubSpot;
using Coordinator.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Coordinator.Hosting.Channels;

/// <summary>The chat channels' webhooks, mapped by both hosts (not behind the API key: each authenticates as its provider documents).</summary>
public static class ChannelWebhooks
{
    public static IEndpointRouteBuilder MapChannelWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapSlackWebhooks().Webhook(
            "Configure it as the app's Event Subscriptions and Interactivity request URL. Authenticated by X-Slack-Signature (v0, the app's signing secret) and X-Slack-Request-Timestamp (within 5 minutes); refusals answer 401 and leave a webhook.denied audit row.");
        app.MapTeamsWebhooks().Webhook(
            "Configure it as the Azure Bot's messaging endpoint. Authenticated by the Bot Framework's JWT in Authorization: Bearer (a published key endorsed for the activity's channel, issuer https://api.botframework.com, audience the app id, not expired, serviceurl equal to the activity's); refusals answer 401 and leave a webhook.denied audit row.");
        app.MapWhatsAppWebhooks().Webhook(
            "Configure it as the WhatsApp sender's incoming-message webhook in Twilio (HTTP POST). Authenticated by X-Twilio-Signature (HMAC-SHA1 with the auth token over Coordinator:PublicBaseUrl + this path and the sorted form parameters) before anything is used; refusals answer 403 and leave a webhook.denied audit row. Answers an empty TwiML <Response/> at once.");
        app.MapTelegramWebhooks().Webhook(
            "Give it to the Bot API's setWebhook with a secret_token. Authenticated by X-Telegram-Bot-Api-Secret-Token (the configured secret, compared in constant time) before the body is read; refusals answer 401 and leave a webhook.denied audit row. A button press is answered with answerCallbackQuery in the response body.");
        app.MapHubSpotWebhook().Webhook(
            "Configure it as the target URL of the app's webhook subscriptions (deal.propertyChange for the property a definition's start.hubspot watches, or deal.creation; ticket.* likewise). Authenticated by X-HubSpot-Signature-v3 (Base64 HMAC-SHA256 with the app's client secret over POST + Coordinator:PublicBaseUrl + this path + the body + X-HubSpot-Request-Timestamp, within 5 minutes); refusals answer 401 and leave a webhook.denied audit row. Answers 200 at once; the instances start just after, once per (workflow, object id).");
        app.MapEventsWebhook().Webhook(
            "CloudEvents 1.0 in structured JSON mode (application/cloudevents+json) from any other system: com.coordinator.instance.start (data: workflow, businessKey, context) and com.coordinator.step.event (data: instanceId or workflow + businessKey, step, type, by, reason/text/option/to). Authenticated by the Standard Webhooks signature (webhook-id, webhook-timestamp within 5 minutes, webhook-signature v1 = Base64 HMAC-SHA256 over id.timestamp.body keyed with Coordinator:Events:Webhook:Secret) before anything is parsed; refusals answer 401 and leave a webhook.denied audit row. A step event's CloudEvent id is its event id: a redelivery is applied once (docs/integrations.md).");
        return app;
    }

    private static RouteHandlerBuilder Webhook(this RouteHandlerBuilder route, string description) =>
        route.WithTags("Webhooks").WithDescription(description).AddOpenApiOperationTransformer((operation, _, _) =>
        {
            // Signed by the provider, not behind the coordinator's API key.
            operation.Security = [];
            return Task.CompletedTask;
        });
}

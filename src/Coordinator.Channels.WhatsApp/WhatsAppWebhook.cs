using Coordinator.Channels.Webhooks;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Twilio.Security;

namespace Coordinator.Channels.WhatsApp;

/// <summary>
/// <c>POST /api/webhooks/twilio</c>: Twilio's incoming-message webhook for the WhatsApp sender (form-encoded). It checks
/// <c>X-Twilio-Signature</c> with the Twilio package's <see cref="RequestValidator"/> over
/// <c>Coordinator:PublicBaseUrl</c> + the route (+ the query string) and the form parameters before using anything
/// (a refusal: 403 and a <c>webhook.denied</c> DENY audit row, nothing kept), keeps the reply (a repeated
/// <c>MessageSid</c> is one reply) and answers at once with an empty TwiML <c>&lt;Response/&gt;</c>; the
/// <c>ReplyWorker</c> turns it into an event and answers on WhatsApp. Status callbacks are acknowledged and ignored.
/// </summary>
public static class WhatsAppWebhook
{
    public const string Route = "/api/webhooks/twilio";

    /// <summary>The empty TwiML document: Twilio sends nothing back on its own (the answer follows through the REST API).</summary>
    public const string EmptyTwiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

    /// <summary>Twilio's incoming-message requests are a few KiB; anything far larger is not Twilio.</summary>
    private const long MaxBody = 256 * 1024;

    /// <summary>Bounds for a body sent without its length: a WhatsApp message's text is at most 4,096 characters.</summary>
    private static readonly FormOptions FormLimits = new() { ValueCountLimit = 256, ValueLengthLimit = 64 * 1024, KeyLengthLimit = 256 };

    public static RouteHandlerBuilder MapWhatsAppWebhooks(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapWebhook(Route, "TwilioWebhook", "Twilio's incoming WhatsApp messages (signed by Twilio with X-Twilio-Signature; not behind the API key)", HandleAsync, StatusCodes.Status403Forbidden)
            .Accepts<IFormCollection>("application/x-www-form-urlencoded")
            .Produces<string>(StatusCodes.Status200OK, "text/xml");

    /// <summary>The handler both hosts call (serve's route, the Functions trigger).</summary>
    public static async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = request.HttpContext.RequestServices;
        var options = services.GetService<IOptions<WhatsAppOptions>>()?.Value;
        if (options is not { IsConfigured: true } || services.GetService<ChannelAudit>() is not { } audit)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "WhatsApp is not configured on this host",
                detail: "Set Coordinator__Channels__WhatsApp__AccountSid, __AuthToken and __From, and Coordinator__PublicBaseUrl (see docs/channels-whatsapp.md), and restart.");
        }
        if (request.ContentLength > MaxBody)
        {
            await audit.DeniedAsync(ChannelKind.WhatsApp, "the body is larger than 256 KiB", cancellationToken).ConfigureAwait(false);
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }
        var signature = request.Headers["X-Twilio-Signature"].FirstOrDefault();
        if (string.IsNullOrEmpty(signature))
            return await DenyAsync(audit, "missing X-Twilio-Signature", cancellationToken).ConfigureAwait(false);
        if (!request.HasFormContentType)
            return await DenyAsync(audit, "the request is not form-encoded, as Twilio's webhooks are", cancellationToken).ConfigureAwait(false);
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(FormLimits, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            return await DenyAsync(audit, "the form cannot be read", cancellationToken).ConfigureAwait(false);
        }
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in form)
        {
            if (value.Count > 1)
                return await DenyAsync(audit, "the form repeats a parameter, which Twilio's webhooks never do", cancellationToken).ConfigureAwait(false);
            parameters[name] = value.ToString();
        }
        var verdict = Verify(options.AuthToken!, options.WebhookUrl + request.QueryString.Value, parameters, signature);
        if (!verdict.Accepted)
            return await DenyAsync(audit, verdict.Reason!, cancellationToken).ConfigureAwait(false);

        if (Reply(parameters, services.GetRequiredService<TimeProvider>()) is { } reply
            && await services.GetRequiredService<IChannelInbound>().AcceptAsync(reply, cancellationToken).ConfigureAwait(false))
            services.GetRequiredService<ReplySignal>().Notify();
        return Results.Text(EmptyTwiml, "text/xml", System.Text.Encoding.UTF8, StatusCodes.Status200OK);
    }

    /// <summary>
    /// Twilio's <c>X-Twilio-Signature</c>, checked by the Twilio package's <see cref="RequestValidator"/> (HMAC-SHA1 keyed
    /// with the Auth Token over <paramref name="url"/>, as Twilio called it, and the form parameters sorted by name;
    /// compared in constant time).
    /// </summary>
    internal static WebhookVerdict Verify(string authToken, string url, IDictionary<string, string> parameters, string? signature)
    {
        ArgumentException.ThrowIfNullOrEmpty(authToken);
        if (string.IsNullOrEmpty(signature))
            return WebhookVerdict.Deny("missing X-Twilio-Signature");
        return new RequestValidator(authToken).Validate(url, parameters, signature)
            ? WebhookVerdict.Accept
            : WebhookVerdict.Deny("X-Twilio-Signature does not match the request (signed with another Auth Token, changed on the way, or Coordinator:PublicBaseUrl is not the URL Twilio calls)");
    }

    /// <summary>An incoming WhatsApp message: <c>From=whatsapp:+...</c>, <c>Body</c> and <c>MessageSid</c>; null for status callbacks and anything else.</summary>
    internal static InboundReply? Reply(IReadOnlyDictionary<string, string> form, TimeProvider time)
    {
        if (form.ContainsKey("MessageStatus") && !form.ContainsKey("Body"))
            return null; // a status callback (sent, delivered, read, failed)
        if (!form.TryGetValue("Body", out var body) || !form.TryGetValue("From", out var from)
            || !from.StartsWith("whatsapp:+", StringComparison.OrdinalIgnoreCase))
            return null;
        var sid = form.GetValueOrDefault("MessageSid") ?? form.GetValueOrDefault("SmsMessageSid");
        if (string.IsNullOrEmpty(sid))
            return null;
        return new InboundReply
        {
            Channel = ChannelKind.WhatsApp,
            DeliveryId = sid,
            Sender = from["whatsapp:".Length..],
            Text = body,
            ReceivedAt = time.GetUtcNow(),
        };
    }

    private static async Task<IResult> DenyAsync(ChannelAudit audit, string reason, CancellationToken cancellationToken)
    {
        await audit.DeniedAsync(ChannelKind.WhatsApp, reason, cancellationToken).ConfigureAwait(false);
        return Results.StatusCode(StatusCodes.Status403Forbidden);
    }
}

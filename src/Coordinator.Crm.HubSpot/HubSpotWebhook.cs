using System.Globalization;
using System.Text.Json;
using Coordinator.Channels.Webhooks;
using Coordinator.Core.Definitions;
using Coordinator.Core.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.Crm.HubSpot;

/// <summary>
/// <c>POST /api/webhooks/hubspot</c>: the app's webhook subscriptions (<c>deal.propertyChange</c>, <c>deal.creation</c>,
/// <c>ticket.*</c>). It checks <c>X-HubSpot-Signature-v3</c> before reading anything (a refusal: 401 and a
/// <c>webhook.denied</c> DENY row, nothing kept), then keeps, for every event that can start a served definition's
/// instance (<c>start.hubspot</c>: the object type, and for a property change the watched property taking the value), a
/// start request (one per event and workflow: HubSpot's redeliveries keep nothing new) and answers 200 at once, well within
/// HubSpot's five seconds. The <see cref="HubSpotStarts"/> reads the object and starts the instance just after.
/// </summary>
public static class HubSpotWebhook
{
    public const string Route = "/api/webhooks/hubspot";

    public const string SignatureHeader = "X-HubSpot-Signature-v3";
    public const string TimestampHeader = "X-HubSpot-Request-Timestamp";

    public static RouteHandlerBuilder MapHubSpotWebhook(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapWebhook(Route, "HubSpotWebhook", "HubSpot webhook events (authenticated by the v3 signature; not behind the API key)", HandleAsync)
            .Accepts<string>("application/json")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest);

    /// <summary>The handler both hosts call (serve's route, the Functions trigger).</summary>
    public static async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = request.HttpContext.RequestServices;
        var options = services.GetService<IOptions<HubSpotOptions>>()?.Value;
        if (options is not { IsConfigured: true } || services.GetService<HubSpotAudit>() is not { } audit)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "HubSpot is not configured on this host",
                detail: "Set Coordinator__Crm__HubSpot__AccessToken, __ClientSecret and Coordinator__PublicBaseUrl (see docs/hubspot.md), restart, and point the app's webhook subscriptions at this URL.");
        }
        var body = await WebhookBody.ReadAsync(request, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            await audit.DeniedAsync("the body is larger than 256 KiB", cancellationToken).ConfigureAwait(false);
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }
        var time = services.GetRequiredService<TimeProvider>();
        var verdict = WebhookSignatures.VerifyHubSpotV3(options.ClientSecret!, request.Method, options.WebhookUrl,
            request.Headers[TimestampHeader].FirstOrDefault(), request.Headers[SignatureHeader].FirstOrDefault(), body, time.GetUtcNow());
        if (!verdict.Accepted)
        {
            await audit.DeniedAsync(verdict.Reason!, cancellationToken).ConfigureAwait(false);
            return Results.Json(new { error = "invalid signature" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        List<HubSpotEvent> events;
        try
        {
            events = Parse(body);
        }
        catch (JsonException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a HubSpot webhook body",
                detail: $"The body must be a JSON array of webhook events ({e.Message}).");
        }
        var requests = Match(events, services.GetRequiredService<IServedWorkflows>().Latest);
        if (requests.Count > 0 && await services.GetRequiredService<ICrmStarts>().AcceptAsync(requests, cancellationToken).ConfigureAwait(false) > 0)
            services.GetRequiredService<HubSpotStartSignal>().Notify();
        return Results.Ok(new { received = events.Count, starts = requests.Count });
    }

    /// <summary>One webhook event, as far as the coordinator reads it.</summary>
    public sealed record HubSpotEvent(string EventId, string SubscriptionType, string ObjectId, string? PropertyName, string? PropertyValue);

    /// <summary>The events of a body (a JSON array of objects with <c>eventId</c>, <c>subscriptionType</c>, <c>objectId</c>, ...); throws <see cref="JsonException"/> when it is not one.</summary>
    public static List<HubSpotEvent> Parse(ReadOnlySpan<byte> body)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        if (document.RootElement.ValueKind != JsonValueKind.Array)
            throw new JsonException("the body is not an array");
        var events = new List<HubSpotEvent>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
                throw new JsonException("an event is not an object");
            if (Scalar(item, "eventId") is not { } eventId || Scalar(item, "subscriptionType") is not { } type || Scalar(item, "objectId") is not { } objectId)
                throw new JsonException("an event lacks eventId, subscriptionType or objectId");
            events.Add(new HubSpotEvent(eventId, type, objectId, Scalar(item, "propertyName"), Scalar(item, "propertyValue")));
        }
        return events;
    }

    /// <summary>The start requests of the events: each event that can start a definition's instance, once per definition.</summary>
    public static List<CrmStartRequest> Match(IEnumerable<HubSpotEvent> events, IEnumerable<WorkflowDefinition> definitions)
    {
        var served = definitions.Where(static d => d.Start?.HubSpot is not null).ToList();
        var requests = new List<CrmStartRequest>();
        foreach (var e in events)
        {
            var dot = e.SubscriptionType.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0 || CrmObjectTypes.Parse(e.SubscriptionType[..dot]) is not { } type)
                continue;
            var kind = e.SubscriptionType[(dot + 1)..];
            foreach (var definition in served)
            {
                var start = definition.Start!.HubSpot!;
                if (start.Object != type)
                    continue;
                var candidate = kind switch
                {
                    "creation" => true,
                    "propertyChange" => e.PropertyName == start.Property && e.PropertyValue == start.Becomes,
                    _ => false,
                };
                if (candidate)
                    requests.Add(new CrmStartRequest("hubspot", e.EventId, definition.Id, type, e.ObjectId, e.PropertyValue));
            }
        }
        return requests;
    }

    private static string? Scalar(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True or JsonValueKind.False => value.GetBoolean().ToString(CultureInfo.InvariantCulture).ToLowerInvariant(),
            _ => null,
        } : null;
}

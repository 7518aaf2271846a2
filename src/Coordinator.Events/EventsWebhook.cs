using System.Text.Json;
using Coordinator.Channels.Webhooks;
using Coordinator.Core.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordinator.Events;

/// <summary>
/// <c>POST /api/webhooks/events</c>: CloudEvents from other systems (a ticketing tool, a BPM), signed as Standard
/// Webhooks with the host-wide secret. The signature is checked on the raw body before anything parses it (unsigned,
/// badly signed or stale: 401, nothing done, a <c>webhook.denied</c> DENY row); then
/// <c>com.coordinator.instance.start</c> starts an instance (idempotent on workflow and business key) and
/// <c>com.coordinator.step.event</c> submits a person's event (idempotent on the CloudEvent's id), through the
/// application core with the HTTP API's checks and outcomes.
/// </summary>
public static class EventsWebhook
{
    public const string Route = "/api/webhooks/events";

    /// <summary>serve's route; the gateway comes from the request's services.</summary>
    public static RouteHandlerBuilder MapEventsWebhook(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapWebhook(Route, "EventsWebhook", "CloudEvents from other systems: start an instance, submit a step event (Standard Webhooks signature; not behind the API key)",
                (request, cancellationToken) => HandleAsync(request, request.HttpContext.RequestServices.GetRequiredService<IWorkGateway>(), cancellationToken))
            .Accepts<CloudEvent>("application/cloudevents+json")
            .Produces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status201Created)
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>The handler both hosts call (serve's route; the Functions trigger with a gateway made per trigger).</summary>
    public static async Task<IResult> HandleAsync(HttpRequest request, IWorkGateway gateway, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(gateway);
        var services = request.HttpContext.RequestServices;
        var options = services.GetService<IOptions<EventsOptions>>()?.Value;
        if (StandardWebhooks.ParseSecret(options?.Secret) is not { } key || services.GetService<EventsAudit>() is not { } audit)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "CloudEvents are not configured on this host",
                detail: "Set Coordinator__Events__Webhook__Secret to a Standard Webhooks secret (whsec_ followed by Base64; see docs/integrations.md), give the sender the same secret, and restart.");
        }
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(typeof(EventsWebhook).FullName!);
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var body = await WebhookBody.ReadAsync(request, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            await audit.DeniedAsync("the body is larger than 256 KiB", cancellationToken).ConfigureAwait(false);
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }
        // The signature first: nothing of an unauthenticated body is parsed, kept or logged.
        var verdict = StandardWebhooks.Verify(key, Header(request, StandardWebhooks.IdHeader), Header(request, StandardWebhooks.TimestampHeader),
            Header(request, StandardWebhooks.SignatureHeader), body, time.GetUtcNow());
        if (!verdict.Accepted)
        {
            if (logger is not null)
                Log.Denied(logger, verdict.Reason!);
            await audit.DeniedAsync(verdict.Reason!, cancellationToken).ConfigureAwait(false);
            return Count("unsigned", Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The request is not signed with this coordinator's secret",
                detail: $"Refused: {verdict.Reason}. Sign as Standard Webhooks do (webhook-id, webhook-timestamp, webhook-signature: v1,<Base64 HMAC-SHA256 of \"{{id}}.{{timestamp}}.{{body}}\">) with the secret of Coordinator__Events__Webhook__Secret, within 5 minutes of this host's clock."));
        }
        if (request.ContentType is not { } contentType || !contentType.StartsWith("application/cloudevents+json", StringComparison.OrdinalIgnoreCase))
        {
            return Count("unknown", Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send the CloudEvent in structured mode",
                detail: $"The content type is '{request.ContentType}'; send the event as one JSON object with content-type application/cloudevents+json (CloudEvents' structured mode; binary mode is not taken)."));
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return Count("unknown", Problem(new InboundProblem("", "The body is not JSON: send one CloudEvent as a JSON object.")));
        }
        using (document)
        {
            var (id, type, data, problem) = InboundEvents.ReadEnvelope(document.RootElement);
            if (problem is not null)
                return Count("unknown", Problem(problem));
            return type switch
            {
                CoordinatorCloudEvents.InstanceStart => Count(type, await StartAsync(gateway, data, cancellationToken).ConfigureAwait(false)),
                CoordinatorCloudEvents.StepEvent => Count(type, await SubmitAsync(gateway, data, id!, cancellationToken).ConfigureAwait(false)),
                _ => Count("unknown", Problem(new InboundProblem("type",
                    $"type '{type}' is not an event this coordinator takes: send {CoordinatorCloudEvents.InstanceStart} (data: workflow, businessKey, context) or {CoordinatorCloudEvents.StepEvent} (data: instanceId or workflow and businessKey, step, type, by, and reason, text, option or to)."))),
            };
        }
    }

    private static async Task<IResult> StartAsync(IWorkGateway gateway, JsonElement data, CancellationToken cancellationToken)
    {
        var (start, problem) = InboundEvents.ReadStart(data);
        if (problem is not null)
            return Problem(problem);
        GatewayStart outcome;
        try
        {
            outcome = await gateway.StartAsync(start!.Workflow, start.BusinessKey, start.Context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Unavailable(e);
        }
        if (!outcome.Accepted)
        {
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The instance was not started", detail: outcome.Problem,
                extensions: outcome.Field is null ? null : new Dictionary<string, object?> { ["field"] = outcome.Field });
        }
        var answer = new { instanceId = outcome.InstanceId, alreadyExisted = outcome.AlreadyExisted };
        return outcome.AlreadyExisted ? Results.Json(answer, statusCode: StatusCodes.Status200OK) : Results.Json(answer, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> SubmitAsync(IWorkGateway gateway, JsonElement data, string id, CancellationToken cancellationToken)
    {
        var (stepEvent, problem) = InboundEvents.ReadStepEvent(data, id);
        if (problem is not null)
            return Problem(problem);
        GatewayEvent outcome;
        try
        {
            outcome = await gateway.SubmitAsync(stepEvent!.InstanceId, stepEvent.Workflow, stepEvent.BusinessKey, stepEvent.Event, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Unavailable(e);
        }
        return outcome.Kind switch
        {
            GatewayEventKind.Applied => Results.Json(new { instanceId = outcome.InstanceId, eventId = id, outcome = "applied" }, statusCode: StatusCodes.Status200OK),
            GatewayEventKind.Accepted => Results.Json(new { instanceId = outcome.InstanceId, eventId = id, outcome = "accepted" }, statusCode: StatusCodes.Status202Accepted),
            GatewayEventKind.Rejected => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The instance rejected the event", detail: outcome.Reason),
            GatewayEventKind.UnknownStep => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such step", detail: outcome.Reason),
            _ => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such instance", detail: outcome.Reason),
        };
    }

    private static IResult Problem(InboundProblem problem) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The CloudEvent is not one this coordinator takes", detail: problem.Message,
            extensions: new Dictionary<string, object?> { ["field"] = problem.Field });

    private static IResult Unavailable(Exception e)
    {
        return new RetryAfterResult(Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The coordinator cannot take the event now",
            detail: $"Nothing was changed ({e.Message}); send the same event again (same id) in a few seconds."));
    }

    private static IResult Count(string type, IResult result)
    {
        var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
        EventsTelemetry.Received.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("outcome", status));
        return result;
    }

    private static string? Header(HttpRequest request, string name) => request.Headers[name].FirstOrDefault();

    /// <summary>A 503 that says when to try again.</summary>
    private sealed class RetryAfterResult(IResult inner) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => StatusCodes.Status503ServiceUnavailable;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.Headers.RetryAfter = "5";
            return inner.ExecuteAsync(httpContext);
        }
    }
}

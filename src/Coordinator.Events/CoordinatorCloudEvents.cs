using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Coordinator.Core.Ports;

namespace Coordinator.Events;

/// <summary>The <c>data</c> of an outbound event: where the instance stands after the action (person ids only).</summary>
/// <param name="Status">What the action means for the step or the instance (<see cref="CoordinatorCloudEvents.StatusOf"/>); null for an action without one.</param>
/// <param name="Owners">The people the action concerns (the audit detail's <c>to</c>: a step's owners, the escalation's or the reminder's recipients).</param>
/// <param name="Due">When the step is due (the audit detail's <c>due</c>).</param>
public sealed record EventData(
    string Workflow,
    int Version,
    string? BusinessKey,
    string? Step,
    string? Status,
    IReadOnlyList<string> Owners,
    DateTimeOffset? Due,
    string Actor,
    string Verdict);

/// <summary>
/// A CloudEvents 1.0 event in structured JSON mode, as the coordinator sends and receives them
/// (<c>application/cloudevents+json</c>). <see cref="Data"/> is the JSON of <see cref="EventData"/> outbound.
/// </summary>
public sealed record CloudEvent(
    [property: JsonPropertyName("specversion")] string SpecVersion,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("time")] string? Time,
    [property: JsonPropertyName("datacontenttype")] string? DataContentType,
    [property: JsonPropertyName("data")] JsonElement? Data);

/// <summary>
/// Turns audit rows into the coordinator's CloudEvents: <c>id</c> the row's idempotency key (stable across retries
/// and hosts), <c>type</c> <c>com.coordinator.&lt;action&gt;</c>, <c>source</c> the public URL, <c>subject</c> the
/// instance id, <c>time</c> the row's time (RFC 3339, UTC, microseconds), <c>data</c> an <see cref="EventData"/>.
/// </summary>
public static class CoordinatorCloudEvents
{
    public const string SpecVersion = "1.0";
    public const string TypePrefix = "com.coordinator.";
    public const string ContentType = "application/cloudevents+json; charset=utf-8";
    public const string DataContentType = "application/json";

    /// <summary>Inbound: start an instance.</summary>
    public const string InstanceStart = TypePrefix + "instance.start";

    /// <summary>Inbound: a person's event on a step.</summary>
    public const string StepEvent = TypePrefix + "step.event";

    // Relaxed escaping: the body is JSON over HTTP, never HTML, and a receiver's log shows "+" and "è" as they are.
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// What an action means as a status (docs/integrations.md lists it): a step's status after it (<c>active</c>,
    /// <c>blocked</c>, <c>done</c>, <c>skipped</c>, ...), the instance's (<c>started</c>, <c>completed</c>,
    /// <c>withdrawn</c>), or the state of a side effect or delivery; null for an action this version does not know.
    /// </summary>
    public static string? StatusOf(string action) => action switch
    {
        "instance.started" => "started",
        "step.activated" or "reminder" or "step.reassigned" or "step.progress" => "active",
        "step.skipped" => "skipped",
        "escalation" => "escalated",
        "step.blocked" => "blocked",
        "decision.requested" => "awaiting_decision",
        "decision.made" => "decided",
        "step.completed" => "done",
        "summary" => "running",
        "event.rejected" => "rejected",
        "instance.completed" => "completed",
        "instance.work_withdrawn" => "withdrawn",
        "action.superseded" => "superseded",
        "side_effect.failed" => "effect_delayed",
        "side_effect.recovered" => "effect_recovered",
        "side_effect.abandoned" => "effect_abandoned",
        "channel.delivery_delayed" => "delivery_delayed",
        "channel.delivery_recovered" => "delivery_recovered",
        "channel.delivery_refused" => "delivery_refused",
        _ => null,
    };

    /// <summary>The event of one audit row, in the UTF-8 bytes that are signed and sent.</summary>
    public static byte[] Serialize(AuditEntry row, Uri source)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(source);
        return JsonSerializer.SerializeToUtf8Bytes(From(row, source), Json);
    }

    /// <summary>The event of one audit row.</summary>
    public static CloudEvent From(AuditEntry row, Uri source)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(source);
        var detail = row.Detail is { ValueKind: JsonValueKind.Object } d ? d : default;
        var data = new EventData(
            row.WorkflowId,
            row.WorkflowVersion,
            row.BusinessKey,
            row.StepId,
            StatusOf(row.Action),
            Owners(detail),
            Due(detail),
            row.Actor,
            row.Verdict.ToString().ToUpperInvariant());
        return new CloudEvent(
            SpecVersion,
            row.IdempotencyKey,
            source.AbsoluteUri,
            TypePrefix + row.Action,
            row.InstanceId,
            row.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            DataContentType,
            JsonSerializer.SerializeToElement(data, Json));
    }

    private static IReadOnlyList<string> Owners(JsonElement detail) =>
        detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty("to", out var to) && to.ValueKind == JsonValueKind.Array
            ? [.. to.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.String).Select(p => p.GetString()!)]
            : [];

    private static DateTimeOffset? Due(JsonElement detail) =>
        detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty("due", out var due) && due.ValueKind == JsonValueKind.String
        && due.TryGetDateTimeOffset(out var at)
            ? at.ToUniversalTime()
            : null;
}

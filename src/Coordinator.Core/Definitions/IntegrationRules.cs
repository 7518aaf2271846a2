namespace Coordinator.Core.Definitions;

/// <summary>How instances of a workflow start by themselves from another system (<c>start:</c>).</summary>
public sealed record StartRules
{
    /// <summary>Start when a HubSpot deal or ticket reaches a property value (<c>start.hubspot</c>).</summary>
    public HubSpotStart? HubSpot { get; init; }
}

/// <summary>The HubSpot objects an instance can follow.</summary>
public enum CrmObjectType
{
    Deal,
    Ticket,
}

/// <summary>Wire names of <see cref="CrmObjectType"/>: <c>deal</c>, <c>ticket</c> (HubSpot's singular object names).</summary>
public static class CrmObjectTypes
{
    public static string WireName(this CrmObjectType type) => type == CrmObjectType.Ticket ? "ticket" : "deal";

    /// <summary>HubSpot's plural object type in CRM v3 paths: <c>deals</c>, <c>tickets</c>.</summary>
    public static string PathName(this CrmObjectType type) => type == CrmObjectType.Ticket ? "tickets" : "deals";

    public static CrmObjectType? Parse(string? name) => name switch
    {
        "deal" => CrmObjectType.Deal,
        "ticket" => CrmObjectType.Ticket,
        _ => null,
    };
}

/// <summary>
/// <c>start.hubspot</c>: an instance starts when an object of <see cref="Object"/> gets <see cref="Property"/> =
/// <see cref="Becomes"/> (in <see cref="Pipeline"/> when given); its start context is read from the object's
/// properties (<see cref="Context"/>). The instance's business key is the object id (the validator requires the
/// definition's <c>business_key</c> field to map to <c>hs_object_id</c>), so one object starts one instance.
/// </summary>
public sealed record HubSpotStart
{
    public required CrmObjectType Object { get; init; }

    /// <summary>The HubSpot property watched (<c>dealstage</c>).</summary>
    public required string Property { get; init; }

    /// <summary>The value that starts the instance (<c>closedwon</c>).</summary>
    public required string Becomes { get; init; }

    /// <summary>Only objects in this pipeline (its id) start instances; null for any pipeline.</summary>
    public string? Pipeline { get; init; }

    /// <summary>The start-context fields and the HubSpot property each is read from, in declaration order.</summary>
    public IReadOnlyList<HubSpotContextField> Context { get; init; } = [];

    /// <summary>Every HubSpot property the start reads: the watched one, the pipeline (when filtered) and the mapped ones.</summary>
    public IReadOnlyList<string> PropertiesRead()
    {
        var names = new List<string> { Property };
        if (Pipeline is not null)
            names.Add("pipeline");
        foreach (var field in Context)
        {
            if (!names.Contains(field.Property, StringComparer.Ordinal))
                names.Add(field.Property);
        }
        return names;
    }
}

/// <summary>
/// One start-context field read from a HubSpot property. With <see cref="Person"/>, the value is a HubSpot owner id
/// and the field gets the id of the person whose directory entry has that <c>hubspot_owner</c>.
/// </summary>
public sealed record HubSpotContextField(string Field, string Property, bool Person);

/// <summary>
/// <c>crm:</c>: which object an instance mirrors its progress on, under which property names, and where its
/// CloudEvents go instead of the host-wide webhook.
/// </summary>
public sealed record CrmRules
{
    /// <summary>The object type the business key names; null = <c>start.hubspot.object</c>, else deal.</summary>
    public CrmObjectType? Object { get; init; }

    public CrmPropertyNames Properties { get; init; } = CrmPropertyNames.Default;

    /// <summary>This workflow's CloudEvents webhook (replaces the host-wide one for its instances); null = the host's.</summary>
    public EventWebhookRule? Webhook { get; init; }
}

/// <summary>The HubSpot properties the coordinator writes, by default in the group <c>coordinator</c>.</summary>
public sealed record CrmPropertyNames
{
    public static readonly CrmPropertyNames Default = new();

    public string Status { get; init; } = "coordinator_status";
    public string CurrentSteps { get; init; } = "coordinator_current_steps";
    public string NextDue { get; init; } = "coordinator_next_due";
    public string EscalationLevel { get; init; } = "coordinator_escalation_level";
    public string InstanceUrl { get; init; } = "coordinator_instance_url";

    /// <summary>The five names in a fixed order (status, current steps, next due, escalation level, instance URL).</summary>
    public IReadOnlyList<string> All() => [Status, CurrentSteps, NextDue, EscalationLevel, InstanceUrl];
}

/// <summary>
/// <c>crm.webhook</c>: a CloudEvents receiver of this workflow's instances. The secret is never in the YAML: it is
/// read from the host setting <see cref="SecretSetting"/> (such as <c>Coordinator__Events__Onboarding__Secret</c>).
/// </summary>
public sealed record EventWebhookRule(Uri Url, string SecretSetting);

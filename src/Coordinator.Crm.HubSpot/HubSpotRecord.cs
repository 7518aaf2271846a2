using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;

namespace Coordinator.Crm.HubSpot;

/// <summary>What a CRM update writes on the HubSpot record: the coordinator's properties, and for some changes a timeline note.</summary>
public static class HubSpotRecord
{
    /// <summary>The changes that also become a note on the record's timeline: a block, a decision, the completion.</summary>
    public static bool WritesNote(string change) => change is "step.blocked" or "decision.made" or "instance.completed";

    /// <summary>The properties that show where the instance stands (HubSpot datetimes as ISO 8601 UTC; an empty value clears one).</summary>
    public static IReadOnlyDictionary<string, string?> Properties(CrmUpdate update, InstanceStanding standing, string instanceUrl)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(standing);
        var names = update.Properties;
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [names.Status] = standing.Health.WireName(),
            [names.CurrentSteps] = string.Join("; ", standing.CurrentSteps),
            [names.NextDue] = standing.NextDue is { } due ? due.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : "",
            [names.EscalationLevel] = standing.EscalationLevel.ToString(CultureInfo.InvariantCulture),
            [names.InstanceUrl] = instanceUrl,
        };
    }

    /// <summary>
    /// The token a note carries so that, after a lost answer, the note can be found before it is posted again: one word
    /// (letters and digits only, so HubSpot's search indexes it whole) derived from the update's idempotency key.
    /// </summary>
    public static string Reference(string idempotencyKey) =>
        "coordinatorref" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..24];

    /// <summary>The note's body (HubSpot notes are rich text): what happened, a link to the instance, and the reference.</summary>
    public static string Note(CrmUpdate update, string instanceUrl)
    {
        ArgumentNullException.ThrowIfNull(update);
        static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
        var step = update.StepTitle ?? update.StepId;
        var what = update.Change switch
        {
            "step.blocked" => $"<strong>Blocked:</strong> {E(step)}. {E(update.Note)}",
            "decision.made" => $"<strong>Decision</strong> on {E(step)}: {E(update.Note)}",
            _ => $"<strong>Completed:</strong> {E(update.WorkflowId)} ({E(update.BusinessKey)}).",
        };
        return $"<p>{what}</p><p><a href=\"{E(instanceUrl)}\">Open in Coordinator</a> · {Reference(update.IdempotencyKey)}</p>";
    }
}

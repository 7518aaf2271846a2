using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Coordinator.Core.Definitions;

/// <summary>
/// The canonical JSON form of a definition: the language's own JSON shape (snake_case keys, durations
/// in their shortest form such as <c>2d</c>), a fixed property order, defaults left out, no
/// whitespace. Equal definitions have equal canonical forms whatever their source formatting, so its
/// SHA-256 is the <see cref="WorkflowDefinition.ContentHash"/>. The canonical form is itself a valid
/// <c>.json</c> definition, which is how definitions are stored and transported.
/// </summary>
public static class DefinitionJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Canonical(WorkflowDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, WriterOptions))
            Write(w, d);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads a definition from JSON (canonical or any valid JSON form) and validates it.</summary>
    /// <exception cref="FormatException">The JSON is not a valid definition; the message lists every diagnostic.</exception>
    public static WorkflowDefinition Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var result = WorkflowLoader.LoadText(json, "definition.json");
        if (!result.Succeeded)
        {
            throw new FormatException("The JSON is not a valid coordinator/v1 workflow definition:" + Environment.NewLine
                + string.Join(Environment.NewLine, result.Diagnostics.Where(x => x.IsError)));
        }
        return result.Definition! with { Source = null };
    }

    internal static string Hash(WorkflowDefinition d) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(d))));

    private static void Write(Utf8JsonWriter w, WorkflowDefinition d)
    {
        w.WriteStartObject();
        w.WriteString("schema", d.Schema);
        w.WriteString("id", d.Id);
        w.WriteNumber("version", d.Version);
        w.WriteString("title", d.Title);
        w.WriteString("process_owner", d.ProcessOwner);
        if (d.BusinessKey is not null)
            w.WriteString("business_key", d.BusinessKey);

        w.WriteStartObject("roles");
        foreach (var role in d.Roles)
        {
            w.WriteStartObject(role.Id);
            if (role.People.Count > 0)
                WriteStrings(w, "people", role.People);
            if (role.FromContext is not null)
                w.WriteString("from_context", role.FromContext);
            if (role.Lead is not null)
                w.WriteString("lead", role.Lead);
            w.WriteEndObject();
        }
        w.WriteEndObject();

        if (d.Defaults.Reminders is not null || d.Defaults.Escalation is not null)
        {
            w.WriteStartObject("defaults");
            WriteReminders(w, d.Defaults.Reminders);
            WriteEscalation(w, d.Defaults.Escalation);
            w.WriteEndObject();
        }

        w.WriteStartArray("steps");
        foreach (var step in d.Steps)
            WriteStep(w, step);
        w.WriteEndArray();

        if (d.Summary is { } summary)
        {
            w.WriteStartObject("summary");
            WriteStrings(w, "to", summary.To);
            WriteDuration(w, "every", summary.Every);
            w.WriteEndObject();
        }
        // Written only when declared: the definitions without them keep their content hash.
        if (d.Start?.HubSpot is { } hubspot)
        {
            w.WriteStartObject("start");
            w.WriteStartObject("hubspot");
            w.WriteString("object", hubspot.Object.WireName());
            w.WriteStartObject("when");
            w.WriteString("property", hubspot.Property);
            w.WriteString("becomes", hubspot.Becomes);
            if (hubspot.Pipeline is not null)
                w.WriteString("pipeline", hubspot.Pipeline);
            w.WriteEndObject();
            w.WriteStartObject("context");
            foreach (var field in hubspot.Context)
            {
                if (field.Person)
                {
                    w.WriteStartObject(field.Field);
                    w.WriteString("property", field.Property);
                    w.WriteBoolean("person", true);
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteString(field.Field, field.Property);
                }
            }
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        if (d.Crm is { } crm)
            WriteCrm(w, crm);
        if (d.Guardrails is { } guardrails)
        {
            w.WriteStartObject("guardrails");
            w.WriteStartArray("topics");
            foreach (var topic in guardrails.Topics)
                w.WriteStringValue(topic);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteCrm(Utf8JsonWriter w, CrmRules crm)
    {
        w.WriteStartObject("crm");
        if (crm.Object is { } type)
            w.WriteString("object", type.WireName());
        var names = crm.Properties;
        var defaults = CrmPropertyNames.Default;
        if (names != defaults)
        {
            w.WriteStartObject("properties");
            void Name(string key, string value, string standard)
            {
                if (value != standard)
                    w.WriteString(key, value);
            }
            Name("status", names.Status, defaults.Status);
            Name("current_steps", names.CurrentSteps, defaults.CurrentSteps);
            Name("next_due", names.NextDue, defaults.NextDue);
            Name("escalation_level", names.EscalationLevel, defaults.EscalationLevel);
            Name("instance_url", names.InstanceUrl, defaults.InstanceUrl);
            w.WriteEndObject();
        }
        if (crm.Webhook is { } hook)
        {
            w.WriteStartObject("webhook");
            w.WriteString("url", hook.Url.OriginalString);
            w.WriteString("secret_setting", hook.SecretSetting);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteStep(Utf8JsonWriter w, StepDefinition step)
    {
        w.WriteStartObject();
        w.WriteString("id", step.Id);
        w.WriteString("title", step.Title);
        if (step.Type != StepType.Task)
            w.WriteString("type", "decision");
        w.WriteString("owner", step.Owner);
        if (step.After.Count > 0)
            WriteStrings(w, "after", step.After);
        if (step.Due is { } due)
            WriteDuration(w, "due", due);
        if (step.When is { } when)
        {
            w.WriteStartObject("when");
            if (when.Field is not null)
            {
                w.WriteString("field", when.Field);
                WriteStrings(w, "in", when.In ?? []);
            }
            if (when.Decision is not null)
                w.WriteString("decision", when.Decision);
            if (when.Is is not null)
                w.WriteString("is", when.Is);
            w.WriteEndObject();
        }
        WriteReminders(w, step.Reminders);
        WriteEscalation(w, step.Escalation);
        if (step.OnBlocked is { } block)
        {
            w.WriteStartObject("on_blocked");
            if (block.Notify.Count > 0)
                WriteStrings(w, "notify", block.Notify);
            if (block.DecisionBy is not null)
                w.WriteString("decision_by", block.DecisionBy);
            if (block.Alternatives.Count > 0)
                WriteOptions(w, "alternatives", block.Alternatives);
            w.WriteEndObject();
        }
        if (step.Options.Count > 0)
            WriteOptions(w, "options", step.Options);
        w.WriteEndObject();
    }

    private static void WriteReminders(Utf8JsonWriter w, ReminderRule? rule)
    {
        if (rule is null)
            return;
        if (rule.IsNone)
        {
            w.WriteString("reminders", "none");
            return;
        }
        w.WriteStartObject("reminders");
        if (rule.BeforeDue.Count > 0)
        {
            w.WriteStartArray("before_due");
            foreach (var offset in rule.BeforeDue)
                w.WriteStringValue(Durations.Format(offset));
            w.WriteEndArray();
        }
        if (rule.OverdueEvery is { } every)
            WriteDuration(w, "overdue_every", every);
        w.WriteEndObject();
    }

    private static void WriteEscalation(Utf8JsonWriter w, EscalationRule? rule)
    {
        if (rule is null)
            return;
        if (rule.IsNone)
        {
            w.WriteString("escalation", "none");
            return;
        }
        w.WriteStartObject("escalation");
        WriteDuration(w, "silence", rule.Silence);
        w.WriteStartArray("levels");
        foreach (var level in rule.Levels)
        {
            w.WriteStartObject();
            WriteDuration(w, "after", level.After);
            WriteStrings(w, "notify", level.Notify);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteOptions(Utf8JsonWriter w, string name, IReadOnlyList<DecisionOption> options)
    {
        w.WriteStartArray(name);
        foreach (var option in options)
        {
            w.WriteStartObject();
            w.WriteString("id", option.Id);
            w.WriteString("title", option.Title);
            if (option.ExtendDue is { } extend)
                WriteDuration(w, "extend_due", extend);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
            w.WriteStringValue(value);
        w.WriteEndArray();
    }

    private static void WriteDuration(Utf8JsonWriter w, string name, TimeSpan value) => w.WriteString(name, Durations.Format(value));
}

using System.Text.RegularExpressions;

namespace Coordinator.Core.Definitions.Parsing;

/// <summary>The parts of a definition that tie it to other systems: <c>start:</c> (HubSpot starts instances) and <c>crm:</c> (what the CRM shows, where CloudEvents go).</summary>
internal sealed partial class DefinitionReader
{
    internal static readonly string[] StartKeys = ["hubspot"];
    internal static readonly string[] HubSpotStartKeys = ["object", "when", "context"];
    internal static readonly string[] HubSpotWhenKeys = ["property", "becomes", "pipeline"];
    internal static readonly string[] HubSpotFieldKeys = ["property", "person"];
    internal static readonly string[] CrmKeys = ["object", "properties", "webhook"];
    internal static readonly string[] CrmPropertyKeys = ["status", "current_steps", "next_due", "escalation_level", "instance_url"];
    internal static readonly string[] WebhookKeys = ["url", "secret_setting"];

    /// <summary>HubSpot's rule for internal property names: lowercase letters, digits and underscores, starting with a letter.</summary>
    [GeneratedRegex("^[a-z][a-z0-9_]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex HubSpotPropertyPattern();

    /// <summary>A host setting's name, as an environment variable (<c>Coordinator__Events__Onboarding__Secret</c>) or a configuration key (<c>Coordinator:Events:Onboarding:Secret</c>).</summary>
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.:-]{0,199}$", RegexOptions.CultureInvariant)]
    private static partial Regex SettingPattern();

    private StartRules? ReadStart(MappingFields root)
    {
        var fields = Open(root["start"], root.PathOf("start"), "'start'", StartKeys);
        if (fields is null)
            return null;
        var hubspot = Open(fields["hubspot"], fields.PathOf("hubspot"), "'start.hubspot'", HubSpotStartKeys);
        if (hubspot is null)
        {
            if (IsAbsent(fields["hubspot"]))
                diagnostics.Error(DiagnosticCodes.MissingRequired, fields.Node.Location, "'start' names no system; write 'hubspot: { object: deal, when: { property: dealstage, becomes: closedwon }, context: { ... } }'.");
            return null;
        }

        var type = ObjectType(hubspot, "object", required: true) ?? CrmObjectType.Deal;
        string property = "", becomes = "";
        string? pipeline = null;
        var when = Open(hubspot["when"], hubspot.PathOf("when"), "'start.hubspot.when'", HubSpotWhenKeys);
        if (when is null)
        {
            if (IsAbsent(hubspot["when"]))
                Missing(hubspot, "when", "the property change that starts an instance, such as '{ property: dealstage, becomes: closedwon }'");
        }
        else
        {
            property = HubSpotProperty(when, "property", required: true) ?? "";
            becomes = RequiredText(when, "becomes") ?? "";
            pipeline = OptionalText(when, "pipeline");
        }

        var context = new List<HubSpotContextField>();
        var contextPath = hubspot.PathOf("context");
        var contextNode = hubspot["context"];
        if (contextNode is MappingNode mapping)
        {
            locations[contextPath] = mapping.Location;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in mapping.Entries)
            {
                if (keyNode is not ScalarNode { IsNull: false } key || !Identifiers.IsField(key.Value))
                {
                    diagnostics.Error(DiagnosticCodes.InvalidId, keyNode.Location, "each key of 'start.hubspot.context' is a start-context field name, such as 'deal_id'.");
                    continue;
                }
                if (!seen.Add(key.Value))
                {
                    diagnostics.Error(DiagnosticCodes.DuplicateKey, key.Location, $"start-context field '{key.Value}' is mapped twice in 'start.hubspot.context'; keep one.");
                    continue;
                }
                var fieldPath = SourcePaths.Child(contextPath, key.Value);
                locations[fieldPath] = key.Location;
                if (ReadContextField(key.Value, value, fieldPath) is { } field)
                    context.Add(field);
            }
        }
        else if (!IsAbsent(contextNode))
        {
            WrongType(contextNode!, "'start.hubspot.context'", "a mapping from start-context field to HubSpot property, such as 'deal_id: hs_object_id'");
        }
        else
        {
            Missing(hubspot, "context", "the start-context fields and the HubSpot property each is read from, such as '{ deal_id: hs_object_id }'");
        }

        return new StartRules
        {
            HubSpot = new HubSpotStart { Object = type, Property = property, Becomes = becomes, Pipeline = pipeline, Context = context },
        };
    }

    private HubSpotContextField? ReadContextField(string field, SyntaxNode node, string path)
    {
        if (node is ScalarNode { IsNull: false } scalar)
            return CheckHubSpotProperty(scalar.Value, scalar.Location, $"the HubSpot property of start-context field '{field}'") ? new HubSpotContextField(field, scalar.Value, false) : null;
        var fields = Open(node, path, $"start-context field '{field}'", HubSpotFieldKeys);
        if (fields is null)
        {
            if (IsAbsent(node))
                diagnostics.Error(DiagnosticCodes.MissingRequired, node.Location, $"start-context field '{field}' names no HubSpot property; write '{field}: <property>' or '{field}: {{ property: hubspot_owner_id, person: true }}'.");
            return null;
        }
        var property = HubSpotProperty(fields, "property", required: true);
        var person = false;
        if (fields["person"] is { } personNode && !IsAbsent(personNode))
        {
            if (personNode is ScalarNode { IsPlain: true, Value: "true" or "false" } flag)
                person = flag.Value == "true";
            else
                WrongType(personNode, $"'person' of start-context field '{field}'", "true or false (true: the value is a HubSpot owner id, mapped to a person id through the people directory)");
        }
        return property is null ? null : new HubSpotContextField(field, property, person);
    }

    private CrmRules? ReadCrm(MappingFields root)
    {
        var fields = Open(root["crm"], root.PathOf("crm"), "'crm'", CrmKeys);
        if (fields is null)
            return null;
        var type = ObjectType(fields, "object", required: false);
        var names = CrmPropertyNames.Default;
        if (Open(fields["properties"], fields.PathOf("properties"), "'crm.properties'", CrmPropertyKeys) is { } properties)
        {
            names = new CrmPropertyNames
            {
                Status = HubSpotProperty(properties, "status", required: false) ?? names.Status,
                CurrentSteps = HubSpotProperty(properties, "current_steps", required: false) ?? names.CurrentSteps,
                NextDue = HubSpotProperty(properties, "next_due", required: false) ?? names.NextDue,
                EscalationLevel = HubSpotProperty(properties, "escalation_level", required: false) ?? names.EscalationLevel,
                InstanceUrl = HubSpotProperty(properties, "instance_url", required: false) ?? names.InstanceUrl,
            };
            var all = names.All();
            for (var i = 0; i < all.Count; i++)
            {
                if (all.Take(i).Contains(all[i], StringComparer.Ordinal))
                    diagnostics.Error(DiagnosticCodes.InvalidValue, properties.Node.Location, $"'crm.properties' writes two values into the property '{all[i]}'; give each its own name.");
            }
        }

        EventWebhookRule? webhook = null;
        if (Open(fields["webhook"], fields.PathOf("webhook"), "'crm.webhook'", WebhookKeys) is { } hook)
        {
            var url = RequiredText(hook, "url");
            var setting = RequiredText(hook, "secret_setting");
            Uri? uri = null;
            if (url is not null)
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out uri) || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
                {
                    diagnostics.Error(DiagnosticCodes.InvalidValue, hook["url"]!.Location, $"'{url}' is not an https:// URL; CloudEvents carry workflow data, so they go over HTTPS (http:// only to localhost, for tests).");
                    uri = null;
                }
            }
            if (setting is not null && !SettingPattern().IsMatch(setting))
            {
                diagnostics.Error(DiagnosticCodes.InvalidValue, hook["secret_setting"]!.Location,
                    $"'{setting}' is not a setting name; name the host setting that holds the signing secret, such as 'Coordinator__Events__Onboarding__Secret' (never the secret itself).");
                setting = null;
            }
            if (uri is not null && setting is not null)
                webhook = new EventWebhookRule(uri, setting);
        }
        return new CrmRules { Object = type, Properties = names, Webhook = webhook };
    }

    private CrmObjectType? ObjectType(MappingFields fields, string key, bool required)
    {
        if (IsAbsent(fields[key]))
        {
            if (required)
                Missing(fields, key, "the HubSpot object type, 'deal' or 'ticket'");
            return null;
        }
        var text = Text(fields[key]!, $"'{key}'");
        if (text is null)
            return null;
        if (CrmObjectTypes.Parse(text) is { } type)
            return type;
        diagnostics.Error(DiagnosticCodes.InvalidValue, fields[key]!.Location, $"'{text}' is not a HubSpot object this coordinator follows; write 'deal' or 'ticket'.");
        return null;
    }

    private string? HubSpotProperty(MappingFields fields, string key, bool required)
    {
        if (IsAbsent(fields[key]))
        {
            if (required)
                Missing(fields, key, "a HubSpot property's internal name, such as 'dealstage'");
            return null;
        }
        var text = Text(fields[key]!, $"'{key}'");
        return text is not null && CheckHubSpotProperty(text, fields[key]!.Location, $"'{key}' of {fields.What}") ? text : null;
    }

    private bool CheckHubSpotProperty(string text, SourceLocation location, string what)
    {
        if (HubSpotPropertyPattern().IsMatch(text))
            return true;
        diagnostics.Error(DiagnosticCodes.InvalidValue, location,
            $"{what} is '{text}', which is not a HubSpot internal property name (lowercase letters, digits and '_', starting with a letter, such as 'hubspot_owner_id'); use the property's internal name, not its label.");
        return false;
    }
}

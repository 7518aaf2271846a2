using System.Globalization;

namespace Coordinator.Core.Definitions.Parsing;

/// <summary>
/// Turns a <see cref="SyntaxNode"/> tree into a <see cref="WorkflowDefinition"/>, checking the structure
/// of the language: known and unique keys, required fields, value types, id spellings and durations.
/// It never stops at the first problem: a broken part is reported and left out (or given a neutral
/// placeholder) so that the rest of the document is still checked. Records the location of every
/// node in a <see cref="SourceMap"/> for the semantic checks that follow.
/// </summary>
internal sealed partial class DefinitionReader(string fileName, DiagnosticBag bag) : NodeReader(fileName, bag)
{
    internal static readonly string[] RootKeys = ["schema", "id", "version", "title", "process_owner", "business_key", "roles", "defaults", "steps", "summary", "start", "crm", "guardrails"];
    internal static readonly string[] RoleKeys = ["people", "from_context", "lead"];
    private static readonly string[] DefaultsKeys = ["reminders", "escalation"];
    private static readonly string[] SummaryKeys = ["to", "every"];
    private static readonly string[] GuardrailKeys = ["topics"];

    /// <summary>The definition as far as it could be read; null when the root is not a mapping.</summary>
    public WorkflowDefinition? Read(SyntaxNode root)
    {
        if (IsAbsent(root))
        {
            diagnostics.Error(DiagnosticCodes.NotOneDocument, root.Location, "the document is empty; it must hold one workflow definition (start with 'schema: coordinator/v1').");
            return null;
        }
        var fields = Open(root, "", "the workflow definition", RootKeys);
        if (fields is null)
            return null;

        var schema = RequiredText(fields, "schema");
        if (schema is not null && schema != WorkflowDefinition.SchemaV1)
        {
            diagnostics.Error(DiagnosticCodes.UnsupportedSchema, fields["schema"]!.Location,
                $"unsupported schema '{schema}'; this coordinator reads '{WorkflowDefinition.SchemaV1}' (write 'schema: {WorkflowDefinition.SchemaV1}').");
        }

        return new WorkflowDefinition
        {
            Schema = schema ?? "",
            Id = RequiredId(fields, "id", "the workflow id") ?? "",
            Version = RequiredVersion(fields) ?? 0,
            Title = RequiredText(fields, "title") ?? "",
            ProcessOwner = RequiredId(fields, "process_owner", "the process owner (a role id)") ?? "",
            BusinessKey = OptionalField(fields, "business_key"),
            Roles = ReadRoles(fields),
            Defaults = ReadDefaults(fields),
            Steps = ReadSteps(fields),
            Summary = ReadSummary(fields),
            Start = ReadStart(fields),
            Crm = ReadCrm(fields),
            Guardrails = ReadGuardrails(fields),
        };
    }

    private List<RoleDefinition> ReadRoles(MappingFields root)
    {
        var roles = new List<RoleDefinition>();
        var node = root["roles"];
        var path = root.PathOf("roles");
        if (node is null || node is ScalarNode { IsNull: true })
        {
            diagnostics.Error(DiagnosticCodes.MissingRequired, node?.Location ?? root.Node.Location,
                "the workflow needs 'roles': a mapping from role id to who fills the role, e.g. 'csm: { people: [csm.lead] }'.");
            return roles;
        }
        if (node is not MappingNode mapping)
        {
            WrongType(node, "'roles'", "a mapping from role id to who fills the role");
            return roles;
        }
        if (mapping.Entries.Count == 0)
            diagnostics.Error(DiagnosticCodes.InvalidValue, mapping.Location, "'roles' is empty; declare at least the process owner's role.");

        var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Entries)
        {
            if (keyNode is not ScalarNode { IsNull: false } key)
            {
                diagnostics.Error(DiagnosticCodes.WrongType, keyNode.Location, "a role id must be a plain name such as 'it-lead'.");
                continue;
            }
            var id = key.Value;
            if (seen.TryGetValue(id, out var first))
            {
                diagnostics.Error(DiagnosticCodes.DuplicateKey, key.Location, $"role '{id}' is declared twice (first at line {first.Line}); merge the two declarations.");
                continue;
            }
            seen[id] = key.Location;
            var rolePath = SourcePaths.Child(path, id);
            locations[rolePath] = key.Location;
            if (NotifyTargets.IsSpecial(id))
                diagnostics.Error(DiagnosticCodes.InvalidId, key.Location, $"'{id}' is reserved (a special notification target) and cannot name a role; choose another role id.");
            else
                CheckId(id, key.Location, "a role id");
            roles.Add(ReadRole(id, value, rolePath));
        }
        return roles;
    }

    private RoleDefinition ReadRole(string id, SyntaxNode node, string path)
    {
        var fields = Open(node, path, $"role '{id}'", RoleKeys);
        if (fields is null)
        {
            if (node is ScalarNode { IsNull: true })
                RoleAssignmentMissing(id, node.Location);
            return new RoleDefinition { Id = id };
        }

        var people = new List<string>();
        if (fields["people"] is { } peopleNode)
        {
            foreach (var (person, location) in TextList(peopleNode, fields.PathOf("people"), $"the people of role '{id}'"))
            {
                if (Identifiers.IsPerson(person))
                    people.Add(person);
                else
                    diagnostics.Error(DiagnosticCodes.InvalidId, location, $"'{person}' is not a valid person id; use letters, digits, '.', '_', '-' or '@', such as 'csm.lead'.");
            }
        }
        var fromContext = OptionalField(fields, "from_context");
        var hasPeople = fields["people"] is { } p && !(p is ScalarNode { IsNull: true });
        if (hasPeople && fromContext is not null)
        {
            diagnostics.Error(DiagnosticCodes.RoleAssignment, fields["from_context"]!.Location,
                $"role '{id}' has both 'people' and 'from_context'; a role is filled either by fixed people or by a person id from the start context, not both.");
        }
        else if (!hasPeople && fromContext is null)
        {
            RoleAssignmentMissing(id, fields.Node.Location);
        }
        else if (hasPeople && fields["people"] is SequenceNode { Items.Count: 0 } empty)
        {
            diagnostics.Error(DiagnosticCodes.RoleAssignment, empty.Location, $"role '{id}' has an empty 'people' list; name at least one person id.");
        }

        return new RoleDefinition
        {
            Id = id,
            People = people,
            FromContext = fromContext,
            Lead = OptionalId(fields, "lead", "a lead (a role id)"),
        };
    }

    private void RoleAssignmentMissing(string id, SourceLocation location) =>
        diagnostics.Error(DiagnosticCodes.RoleAssignment, location,
            $"role '{id}' names nobody; give it 'people: [person.id, ...]' or 'from_context: <start-context field>'.");

    private StepDefaults ReadDefaults(MappingFields root)
    {
        var fields = Open(root["defaults"], root.PathOf("defaults"), "'defaults'", DefaultsKeys);
        if (fields is null)
            return StepDefaults.Empty;
        return new StepDefaults
        {
            Reminders = ReadReminders(fields["reminders"], fields.PathOf("reminders")),
            Escalation = ReadEscalation(fields["escalation"], fields.PathOf("escalation")),
        };
    }

    private SummaryRule? ReadSummary(MappingFields root)
    {
        var fields = Open(root["summary"], root.PathOf("summary"), "'summary'", SummaryKeys);
        if (fields is null)
            return null;
        var to = RequiredTargets(fields, "to", "the summary recipients (roles or process_owner)");
        var every = RequiredDuration(fields, "every");
        return new SummaryRule { To = to, Every = every ?? TimeSpan.Zero };
    }

    private GuardrailRules? ReadGuardrails(MappingFields root)
    {
        var fields = Open(root["guardrails"], root.PathOf("guardrails"), "'guardrails'", GuardrailKeys);
        if (fields is null)
            return null;
        if (IsAbsent(fields["topics"]))
        {
            Missing(fields, "topics", "the subjects people may talk about with the coordinator in this workflow, e.g. 'topics: [customer onboarding, IT set-up]'");
            return null;
        }
        var entries = TextList(fields["topics"]!, fields.PathOf("topics"), "'guardrails.topics'");
        var topics = new List<string>();
        foreach (var (raw, location) in entries)
        {
            var topic = raw.Trim();
            if (topic.Length == 0)
                diagnostics.Error(DiagnosticCodes.InvalidValue, location, "a topic is empty; write what people may talk about, e.g. 'IT set-up'.");
            else if (topic.Length > GuardrailRules.MaxTopicLength)
                diagnostics.Error(DiagnosticCodes.InvalidValue, location, $"the topic '{topic[..20]}...' has {topic.Length} characters; a topic has at most {GuardrailRules.MaxTopicLength}: name a subject, not a description.");
            else if (topics.Contains(topic, StringComparer.OrdinalIgnoreCase))
                diagnostics.Error(DiagnosticCodes.InvalidValue, location, $"the topic '{topic}' is listed twice; remove one.");
            else
                topics.Add(topic);
        }
        if (entries.Count == 0)
            diagnostics.Error(DiagnosticCodes.InvalidValue, fields["topics"]!.Location, "'guardrails.topics' is empty; list at least one topic, or leave 'guardrails' out to keep the workflow's own domain (its title and its steps).");
        else if (entries.Count > GuardrailRules.MaxTopics)
            diagnostics.Error(DiagnosticCodes.InvalidValue, fields["topics"]!.Location, $"'guardrails.topics' lists {entries.Count} topics; at most {GuardrailRules.MaxTopics} are allowed.");
        return new GuardrailRules { Topics = topics };
    }

    private int? RequiredVersion(MappingFields fields)
    {
        var node = fields["version"];
        if (IsAbsent(node))
        {
            Missing(fields, "version", "a positive whole number, e.g. 'version: 1'");
            return null;
        }
        if (node is ScalarNode { IsPlain: true } scalar && int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version))
        {
            if (version > 0)
                return version;
            diagnostics.Error(DiagnosticCodes.InvalidValue, node.Location, $"version {version} is not allowed; versions are positive whole numbers starting at 1.");
            return null;
        }
        diagnostics.Error(DiagnosticCodes.WrongType, node!.Location, $"'version' must be a positive whole number written without quotes, found {node.Describe()}.");
        return null;
    }
}

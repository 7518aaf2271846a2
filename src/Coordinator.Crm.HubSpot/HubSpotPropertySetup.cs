using System.Text.Json.Nodes;
using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;

namespace Coordinator.Crm.HubSpot;

/// <summary>What <see cref="HubSpotPropertySetup"/> did about one property or group.</summary>
public sealed record HubSpotSetupStep(CrmObjectType Object, string Name, bool IsGroup, bool Created);

/// <summary>
/// <c>coordinator crm setup</c>: creates, on the object types the definitions use, the property group <c>coordinator</c>
/// and the properties their <c>crm.properties</c> name (the defaults: <c>coordinator_status</c> and four more), leaving the
/// ones that exist alone. The status is an enumeration of the six standings, so HubSpot can filter and report on it.
/// </summary>
public sealed class HubSpotPropertySetup(HubSpotClient client)
{
    public const string Group = "coordinator";

    /// <summary>Sets up what <paramref name="definitions"/> need; reports each group and property as it goes.</summary>
    public async Task<IReadOnlyList<HubSpotSetupStep>> RunAsync(IEnumerable<WorkflowDefinition> definitions, Action<HubSpotSetupStep> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(progress);
        var wanted = new SortedDictionary<CrmObjectType, SortedDictionary<string, JsonObject>>();
        foreach (var definition in definitions.Where(static d => d.Start?.HubSpot is not null || d.Crm is not null))
        {
            if (!wanted.TryGetValue(definition.CrmObject, out var properties))
                wanted[definition.CrmObject] = properties = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            var names = definition.Crm?.Properties ?? CrmPropertyNames.Default;
            properties.TryAdd(names.Status, Status(names.Status));
            properties.TryAdd(names.CurrentSteps, Property(names.CurrentSteps, "Coordinator: current steps", "string", "textarea", "The steps under way."));
            properties.TryAdd(names.NextDue, Property(names.NextDue, "Coordinator: next due", "datetime", "date", "The earliest due time of a step under way."));
            properties.TryAdd(names.EscalationLevel, Property(names.EscalationLevel, "Coordinator: escalation level", "number", "number", "The highest escalation level a step under way reached (0: none)."));
            properties.TryAdd(names.InstanceUrl, Property(names.InstanceUrl, "Coordinator: instance", "string", "text", "A link to the instance in the coordinator."));
        }
        var steps = new List<HubSpotSetupStep>();
        void Report(HubSpotSetupStep step)
        {
            steps.Add(step);
            progress(step);
        }
        foreach (var (type, properties) in wanted)
        {
            var hasGroup = await client.HasGroupAsync(type, Group, cancellationToken).ConfigureAwait(false);
            if (!hasGroup)
                await client.CreateGroupAsync(type, Group, "Coordinator", cancellationToken).ConfigureAwait(false);
            Report(new HubSpotSetupStep(type, Group, IsGroup: true, Created: !hasGroup));
            foreach (var (name, definition) in properties)
            {
                var exists = await client.HasPropertyAsync(type, name, cancellationToken).ConfigureAwait(false);
                if (!exists)
                    await client.CreatePropertyAsync(type, definition, cancellationToken).ConfigureAwait(false);
                Report(new HubSpotSetupStep(type, name, IsGroup: false, Created: !exists));
            }
        }
        return steps;
    }

    private static JsonObject Property(string name, string label, string type, string fieldType, string description) => new()
    {
        ["name"] = name,
        ["label"] = label,
        ["type"] = type,
        ["fieldType"] = fieldType,
        ["groupName"] = Group,
        ["description"] = description,
    };

    private static JsonObject Status(string name)
    {
        var property = Property(name, "Coordinator: status", "enumeration", "select", "Where the instance stands: on track, at risk, overdue, blocked, awaiting decision, completed.");
        property["options"] = new JsonArray([.. InstanceHealths.All.Select((h, i) => (JsonNode)new JsonObject
        {
            ["label"] = h.Label(),
            ["value"] = h.WireName(),
            ["displayOrder"] = i,
        })]);
        return property;
    }
}

using System.Text.Json;
using Coordinator.Core.Definitions.Parsing;

namespace Coordinator.Core.Tests.Definitions;

/// <summary>The published JSON Schema (for editors) names the same keys the loader accepts.</summary>
public sealed class JsonSchemaTests
{
    private static readonly JsonElement Schema =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Samples, "schema", "coordinator-v1.schema.json"))).RootElement;

    private static string[] PropertiesOf(JsonElement node) =>
        [.. node.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    [Fact]
    public void Schema_Root_HasTheLoadersRootKeysAndForbidsOthers()
    {
        Assert.Equal(DefinitionReader.RootKeys.Order(StringComparer.Ordinal), PropertiesOf(Schema));
        Assert.False(Schema.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal("coordinator/v1", Schema.GetProperty("properties").GetProperty("schema").GetProperty("const").GetString());
    }

    [Fact]
    public void Schema_StepRoleAndAlternative_HaveTheLoadersKeys()
    {
        var definitions = Schema.GetProperty("definitions");

        Assert.Equal(DefinitionReader.StepKeys.Order(StringComparer.Ordinal), PropertiesOf(definitions.GetProperty("step")));
        Assert.Equal(DefinitionReader.RoleKeys.Order(StringComparer.Ordinal), PropertiesOf(definitions.GetProperty("role")));
        Assert.Equal(DefinitionReader.AlternativeKeys.Order(StringComparer.Ordinal), PropertiesOf(definitions.GetProperty("alternative")));
    }

    [Fact]
    public void Schema_StartAndCrm_HaveTheLoadersKeys()
    {
        var properties = Schema.GetProperty("properties");
        var hubspot = properties.GetProperty("start").GetProperty("properties").GetProperty("hubspot");
        var crm = properties.GetProperty("crm");

        Assert.Equal(DefinitionReader.StartKeys.Order(StringComparer.Ordinal), PropertiesOf(properties.GetProperty("start")));
        Assert.Equal(DefinitionReader.HubSpotStartKeys.Order(StringComparer.Ordinal), PropertiesOf(hubspot));
        Assert.Equal(DefinitionReader.HubSpotWhenKeys.Order(StringComparer.Ordinal), PropertiesOf(hubspot.GetProperty("properties").GetProperty("when")));
        Assert.Equal(DefinitionReader.CrmKeys.Order(StringComparer.Ordinal), PropertiesOf(crm));
        Assert.Equal(DefinitionReader.CrmPropertyKeys.Order(StringComparer.Ordinal), PropertiesOf(crm.GetProperty("properties").GetProperty("properties")));
        Assert.Equal(DefinitionReader.WebhookKeys.Order(StringComparer.Ordinal), PropertiesOf(crm.GetProperty("properties").GetProperty("webhook")));
    }

    [Fact]
    public void Schema_EveryProperty_HasADescriptionOrAReference()
    {
        var missing = new List<string>();
        Walk(Schema, "#", missing);

        Assert.Empty(missing);
    }

    private static void Walk(JsonElement node, string path, List<string> missing)
    {
        if (node.ValueKind != JsonValueKind.Object)
            return;
        if (node.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                if (!property.Value.TryGetProperty("description", out _) && !property.Value.TryGetProperty("$ref", out _))
                    missing.Add($"{path}/{property.Name}");
                Walk(property.Value, $"{path}/{property.Name}", missing);
            }
        }
        // Conditions (if/then/else/not) restate properties described elsewhere.
        foreach (var child in node.EnumerateObject().Where(p => p.Name is not ("properties" or "if" or "then" or "else" or "not")))
        {
            if (child.Value.ValueKind == JsonValueKind.Object)
                Walk(child.Value, $"{path}/{child.Name}", missing);
            else if (child.Value.ValueKind == JsonValueKind.Array)
                foreach (var item in child.Value.EnumerateArray())
                    Walk(item, $"{path}/{child.Name}[]", missing);
        }
    }
}

using Coordinator.Core.Definitions;

namespace Coordinator.Core.Tests.Definitions;

/// <summary><c>start.hubspot</c> and <c>crm</c>: read as written, kept through the canonical form, refused with a fix when broken.</summary>
public sealed class IntegrationRulesTests
{
    private static string Sample() => File.ReadAllText(RepoPaths.Sample("b2b-onboarding.yaml"));

    [Fact]
    public void LoadFile_B2bOnboarding_StartsFromAClosedWonDealAndReadsItsContextFromTheDeal()
    {
        var d = WorkflowLoader.LoadFile(RepoPaths.Sample("b2b-onboarding.yaml")).Definition!;

        var start = d.Start!.HubSpot!;
        Assert.Equal((CrmObjectType.Deal, "dealstage", "closedwon", (string?)null), (start.Object, start.Property, start.Becomes, start.Pipeline));
        Assert.Equal(
            [new HubSpotContextField("deal_id", "hs_object_id", false), new HubSpotContextField("deal_owner", "hubspot_owner_id", true), new HubSpotContextField("segment", "customer_segment", false)],
            start.Context);
        Assert.Equal(["dealstage", "hs_object_id", "hubspot_owner_id", "customer_segment"], start.PropertiesRead());
        Assert.Equal(CrmObjectType.Deal, d.CrmObject);
        Assert.Equal(CrmPropertyNames.Default, d.Crm!.Properties);
        Assert.Null(d.Crm.Webhook);
    }

    [Fact]
    public void LoadText_CrmWithOwnNamesAndWebhook_KeepsThemThroughTheCanonicalJson()
    {
        var yaml = Sample().Replace(
            "crm:\n  object: deal\n",
            "crm:\n  object: deal\n  properties: { status: onboarding_status, next_due: onboarding_next_due }\n"
            + "  webhook: { url: \"https://bpm.example.com/events\", secret_setting: Coordinator__Events__Onboarding__Secret }\n",
            StringComparison.Ordinal);

        var d = WorkflowLoader.LoadText(yaml, "b2b.yaml").Definition!;
        var again = DefinitionJson.Deserialize(DefinitionJson.Canonical(d));

        Assert.Equal(("onboarding_status", "coordinator_current_steps", "onboarding_next_due"), (d.Crm!.Properties.Status, d.Crm.Properties.CurrentSteps, d.Crm.Properties.NextDue));
        Assert.Equal(new EventWebhookRule(new Uri("https://bpm.example.com/events"), "Coordinator__Events__Onboarding__Secret"), d.Crm.Webhook);
        Assert.Equal(d.ContentHash, again.ContentHash);
        Assert.Equal(d.Crm, again.Crm);
        Assert.Equal(d.Start!.HubSpot!.Context, again.Start!.HubSpot!.Context);
    }

    [Fact]
    public void Canonical_DefinitionWithoutStartOrCrm_HasNoSuchKeys()
    {
        var d = WorkflowLoader.LoadFile(RepoPaths.Sample("it-change-management.yaml")).Definition!;

        var json = DefinitionJson.Canonical(d);

        Assert.DoesNotContain("\"start\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"crm\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("when: { property: dealstage, becomes: closedwon }", "when: { property: dealstage, becomes: closedwon, pipline: default }", "WF0101", "Did you mean 'pipeline'")]
    [InlineData("    object: deal\n    when", "    object: company\n    when", "WF0108", "write 'deal' or 'ticket'")]
    [InlineData("segment: customer_segment", "segment: Customer Segment", "WF0108", "internal property name")]
    [InlineData("person: true }", "person: yes }", "WF0104", "true or false")]
    [InlineData("crm:\n  object: deal\n", "crm:\n  webhook: { url: \"http://bpm.example.com/x\", secret_setting: S }\n", "WF0108", "https://")]
    [InlineData("crm:\n  object: deal\n", "crm:\n  properties: { status: same_name, next_due: same_name }\n", "WF0108", "two values into the property 'same_name'")]
    public void LoadText_BrokenIntegrationRule_ReportsWhatIsWrongAndHowToFixIt(string original, string broken, string code, string hint)
    {
        var yaml = Sample();
        Assert.Contains(original, yaml, StringComparison.Ordinal);

        var result = WorkflowLoader.LoadText(yaml.Replace(original, broken, StringComparison.Ordinal), "b2b.yaml");

        // The problem made is reported (a field it leaves out may also be reported as missing, nothing else).
        Assert.Contains(result.Diagnostics, d => d.Code == code && d.Message.Contains(hint, StringComparison.Ordinal));
        Assert.All(result.Diagnostics, d => Assert.Contains(d.Code, new[] { code, DiagnosticCodes.StartMissingContext }));
        Assert.False(result.Succeeded);
    }
}

using Coordinator.Core.Definitions;

namespace Coordinator.Events.Tests;

/// <summary>Served definitions built in code (the YAML of <c>crm.webhook</c> is parsed elsewhere).</summary>
internal static class Definitions
{
    public static WorkflowDefinition Workflow(string id, Uri? webhook = null, string secretSetting = "Coordinator__Events__Onboarding__Secret") => new WorkflowDefinition
    {
        Schema = "coordinator/v1",
        Id = id,
        Version = 1,
        Title = id,
        ProcessOwner = "person-1",
        Roles = [],
        Steps = [],
    } with { Crm = webhook is null ? null : new CrmRules { Webhook = new EventWebhookRule(webhook, secretSetting) } };
}

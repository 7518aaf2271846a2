using System.Text;
using System.Text.Json;
using Coordinator.Core.Definitions;
using Coordinator.Crm.HubSpot;
using Coordinator.Testing;

namespace Coordinator.Crm.Tests;

/// <summary>Which of HubSpot's webhook events can start a definition's instance (the webhook keeps only those).</summary>
public sealed class HubSpotWebhookTests
{
    private static readonly WorkflowDefinition Onboarding = WorkflowLoader.LoadFile(Path.Combine(RepositoryPaths.Definitions, "b2b-onboarding.yaml")).Definition!;
    private static readonly WorkflowDefinition Change = WorkflowLoader.LoadFile(Path.Combine(RepositoryPaths.Definitions, "it-change-management.yaml")).Definition!;

    private static HubSpotWebhook.HubSpotEvent Event(string type, string? property = "dealstage", string? value = "closedwon", string id = "101", string objectId = "4711") =>
        new(id, type, objectId, property, value);

    [Fact]
    public void Match_DealReachingTheWatchedStage_StartsTheOnboardingOnce()
    {
        var requests = HubSpotWebhook.Match([Event("deal.propertyChange")], [Onboarding, Change]);

        var request = Assert.Single(requests);
        Assert.Equal(("hubspot", "101", "b2b-onboarding", CrmObjectType.Deal, "4711", "closedwon"),
            (request.Source, request.EventId, request.WorkflowId, request.Object, request.ObjectId, request.PropertyValue));
    }

    [Theory]
    [InlineData("deal.propertyChange", "dealstage", "appointmentscheduled")]
    [InlineData("deal.propertyChange", "amount", "closedwon")]
    [InlineData("ticket.propertyChange", "dealstage", "closedwon")]
    [InlineData("deal.deletion", "dealstage", "closedwon")]
    [InlineData("contact.creation", null, null)]
    public void Match_OtherEvents_StartNothing(string type, string? property, string? value)
    {
        Assert.Empty(HubSpotWebhook.Match([Event(type, property, value)], [Onboarding, Change]));
    }

    [Fact]
    public void Match_DealCreation_IsACandidateWhoseStageIsReadFromTheDeal()
    {
        var request = Assert.Single(HubSpotWebhook.Match([Event("deal.creation", null, null)], [Onboarding]));

        Assert.Null(request.PropertyValue);
    }

    [Fact]
    public void Parse_HubSpotsEventArray_ReadsIdsWrittenAsNumbers()
    {
        var body = """
            [{"eventId":3816279340,"subscriptionId":25,"portalId":33,"appId":1160452,"occurredAt":1733000000000,"subscriptionType":"deal.propertyChange",
              "attemptNumber":0,"objectId":4711,"propertyName":"dealstage","propertyValue":"closedwon","changeSource":"CRM_UI"}]
            """;

        var parsed = Assert.Single(HubSpotWebhook.Parse(Encoding.UTF8.GetBytes(body)));

        Assert.Equal(new HubSpotWebhook.HubSpotEvent("3816279340", "deal.propertyChange", "4711", "dealstage", "closedwon"), parsed);
    }

    [Theory]
    [InlineData("{\"eventId\":1}")]
    [InlineData("[1, 2]")]
    [InlineData("[{\"eventId\":1,\"objectId\":2}]")]
    [InlineData("not json")]
    public void Parse_NotAnEventArray_Throws(string body)
    {
        Assert.ThrowsAny<JsonException>(() => HubSpotWebhook.Parse(Encoding.UTF8.GetBytes(body)));
    }
}

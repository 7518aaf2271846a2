using Coordinator.Core.Engine;
using Coordinator.Crm.HubSpot;

namespace Coordinator.Crm.Tests;

/// <summary>What an update writes on the deal: the coordinator's five properties, and a note for blocks, decisions and the completion.</summary>
public sealed class HubSpotRecordTests
{
    [Fact]
    public void Properties_Standing_WritesTheFivePropertiesUnderTheDefinitionsNames()
    {
        var update = Updates.Of(7, "step.blocked", InstanceHealth.Blocked, ["IT environment set-up", "Training"], level: 2, due: new DateTimeOffset(2026, 12, 9, 17, 0, 0, TimeSpan.FromHours(1)));

        var properties = HubSpotRecord.Properties(update, update.Standing!, "https://c.example.com/inbox/instances/b2b-onboarding.4711");

        Assert.Equal(new Dictionary<string, string?>
        {
            ["coordinator_status"] = "blocked",
            ["coordinator_current_steps"] = "IT environment set-up; Training",
            ["coordinator_next_due"] = "2026-12-09T16:00:00.000Z",
            ["coordinator_escalation_level"] = "2",
            ["coordinator_instance_url"] = "https://c.example.com/inbox/instances/b2b-onboarding.4711",
        }, properties);
    }

    [Fact]
    public void Note_Block_SaysWhatIsBlockedWhyWithALinkAndItsReference()
    {
        var update = Updates.Of(7, "step.blocked", InstanceHealth.Blocked, ["IT"], step: "it-setup", note: "customer <undecided> between Okta & Entra");

        var note = HubSpotRecord.Note(update, "https://c.example.com/inbox/instances/x");

        Assert.Contains("Blocked:</strong> Step it-setup. customer &lt;undecided&gt; between Okta &amp; Entra", note, StringComparison.Ordinal);
        Assert.Contains("href=\"https://c.example.com/inbox/instances/x\"", note, StringComparison.Ordinal);
        Assert.Contains(HubSpotRecord.Reference(update.IdempotencyKey), note, StringComparison.Ordinal);
    }

    [Fact]
    public void Reference_IsOneWordOfLettersAndDigitsDistinctPerAction()
    {
        var a = HubSpotRecord.Reference("b2b-onboarding.4711:7-step.blocked");
        var b = HubSpotRecord.Reference("b2b-onboarding.4711:8-decision.made");

        Assert.Matches("^coordinatorref[0-9a-f]{24}$", a);
        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData("step.blocked", true)]
    [InlineData("decision.made", true)]
    [InlineData("instance.completed", true)]
    [InlineData("step.activated", false)]
    [InlineData("reminder", false)]
    public void WritesNote_OnlyBlocksDecisionsAndTheCompletion(string change, bool expected) =>
        Assert.Equal(expected, HubSpotRecord.WritesNote(change));

    [Fact]
    public void Backoff_DoublesFromTheDefaultFirstIntervalToHalfAnHour()
    {
        var first = new HubSpotOptions().FirstRetryInterval;
        Assert.Equal([5, 10, 20, 40], Enumerable.Range(1, 4).Select(n => HubSpotDispatcher.Backoff(n, first).TotalSeconds));
        Assert.Equal(TimeSpan.FromMinutes(30), HubSpotDispatcher.Backoff(30, first));
    }
}

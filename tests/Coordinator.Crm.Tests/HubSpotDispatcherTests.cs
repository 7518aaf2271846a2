using System.Text.Json;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Crm.Tests;

/// <summary>The CRM port on HubSpot against the loopback HubSpot: what the deal gets, in which order, once, through 429s, outages and lost answers.</summary>
[Collection(CrmPostgresCollection.Name)]
public sealed class HubSpotDispatcherTests(CrmPostgres postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static CrmUpdate[] Onboarding() =>
    [
        Updates.Of(1, "instance.started", InstanceHealth.OnTrack, ["Countersigned contract"]),
        Updates.Of(2, "step.activated", InstanceHealth.OnTrack, ["Countersigned contract"], step: "contract"),
        Updates.Of(6, "step.blocked", InstanceHealth.Blocked, ["IT environment set-up"], step: "it-setup", note: "customer undecided between Okta and Entra"),
        Updates.Of(7, "decision.made", InstanceHealth.OnTrack, ["IT environment set-up"], step: "it-setup", note: "temporary-accounts: Start with local accounts"),
    ];

    [Fact]
    public async Task UpdateAsync_TurnsKeptWhileHubSpotWasNotCalled_OnePatchWithTheNewestStandingAndOneNotePerBlockAndDecision()
    {
        await using var harness = await HubSpotHarness.StartAsync(postgres);
        foreach (var update in Onboarding())
            Assert.Equal(SideEffectOutcome.Performed, await harness.Updater.UpdateAsync(update));
        Assert.Equal(SideEffectOutcome.AlreadyPerformed, await harness.Updater.UpdateAsync(Onboarding()[2]));

        await harness.DrainAsync(Patience);

        var patch = Assert.Single(harness.HubSpot.Patches);
        Assert.Equal("on-track", patch.Properties["coordinator_status"]!.GetValue<string>());
        Assert.Equal("IT environment set-up", patch.Properties["coordinator_current_steps"]!.GetValue<string>());
        Assert.Equal($"{HubSpotHarness.PublicBase}/inbox/instances/{Updates.Instance}", patch.Properties["coordinator_instance_url"]!.GetValue<string>());
        Assert.Equal(2, harness.HubSpot.Notes.Count);
        Assert.Contains("customer undecided between Okta and Entra", harness.HubSpot.Notes[0].Body, StringComparison.Ordinal);
        Assert.Contains("temporary-accounts", harness.HubSpot.Notes[1].Body, StringComparison.Ordinal);
        Assert.All(harness.HubSpot.Notes, n => Assert.Equal(("deals", Updates.Deal, 214), (n.ObjectType, n.ObjectId, n.AssociationTypeId)));
        Assert.Equal(0, harness.HubSpot.WireErrors);
    }

    [Fact]
    public async Task UpdateAsync_UpdatesAppliedOneTurnAtATime_TheDealFollowsEachStandingInOrder()
    {
        await using var harness = await HubSpotHarness.StartAsync(postgres);
        foreach (var update in Onboarding())
        {
            await harness.Updater.UpdateAsync(update);
            await harness.DrainAsync(Patience);
        }

        Assert.Equal(["on-track", "on-track", "blocked", "on-track"], harness.HubSpot.Patches.Select(p => p.Properties["coordinator_status"]!.GetValue<string>()));
        Assert.Equal(2, harness.HubSpot.Notes.Count);
    }

    [Fact]
    public async Task Dispatcher_NoteAnswerLost_FindsTheNoteByItsReferenceAndDoesNotPostItAgain()
    {
        await using var harness = await HubSpotHarness.StartAsync(postgres);
        harness.HubSpot.DropNextNoteAnswer = 1;
        await harness.Updater.UpdateAsync(Onboarding()[2]);

        await harness.DrainAsync(Patience);

        Assert.Single(harness.HubSpot.Notes);
        Assert.Empty(await harness.AuditAsync("crm.update_refused"));
        Assert.Equal("blocked", harness.HubSpot.Properties("deals", Updates.Deal)!["coordinator_status"]);
    }

    [Fact]
    public async Task Dispatcher_HubSpotAnswers429_WaitsItsRetryAfterWithoutCountingAFailure()
    {
        await using var harness = await HubSpotHarness.StartAsync(postgres);
        harness.HubSpot.RateLimitNext = 1;
        harness.HubSpot.RetryAfter = TimeSpan.FromSeconds(1);
        await harness.Updater.UpdateAsync(Onboarding()[0]);
        var started = DateTimeOffset.UtcNow;

        await harness.DrainAsync(Patience);

        Assert.Equal(1, harness.HubSpot.RateLimited);
        Assert.Single(harness.HubSpot.Patches);
        Assert.True(harness.HubSpot.Patches[0].At - started >= TimeSpan.FromSeconds(0.9), "the patch did not wait for Retry-After");
        Assert.Empty(await harness.AuditAsync("crm.update_delayed"));
    }

    [Fact]
    public async Task Dispatcher_HubSpotDownThenBack_DelaysTheDealWithADelayedAndARecoveredRowOnTheInstancesTrail()
    {
        await using var harness = await HubSpotHarness.StartAsync(postgres);
        harness.HubSpot.FailNext = 3;
        await harness.Updater.UpdateAsync(Onboarding()[2]);

        await harness.DrainAsync(Patience);

        Assert.Single(harness.HubSpot.Patches);
        Assert.Single(harness.HubSpot.Notes);
        var delayed = Assert.Single(await harness.AuditAsync("crm.update_delayed"));
        var recovered = Assert.Single(await harness.AuditAsync("crm.update_recovered"));
        Assert.Equal((Updates.Instance, "WARN"), (delayed.InstanceId, delayed.Verdict));
        Assert.Equal((Updates.Instance, "ALLOW"), (recovered.InstanceId, recovered.Verdict));
        Assert.Equal(3, JsonDocument.Parse(recovered.Detail).RootElement.GetProperty("failures").GetInt32());
    }

    [Fact]
    public async Task Dispatcher_DealDeleted_ClosesItsUpdatesWithARefusedRow()
    {
        await using var harness = await HubSpotHarness.StartAsync(postgres);
        await harness.Updater.UpdateAsync(Onboarding()[0] with { BusinessKey = "9999", IdempotencyKey = "gone:1" });

        await harness.DrainAsync(Patience);

        var refused = Assert.Single(await harness.AuditAsync("crm.update_refused"));
        Assert.Contains("404", refused.Detail, StringComparison.Ordinal);
        Assert.Null(await harness.Services.GetRequiredService<ICrmOutbox>().ClaimAsync(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Dispatcher_ManyRecordsAndALowLimit_StaysWithinTheSharedBudget()
    {
        await using var harness = await HubSpotHarness.StartAsync(postgres, requestsPer10Seconds: 10);
        for (var deal = 0; deal < 14; deal++)
        {
            var id = (5000 + deal).ToString(System.Globalization.CultureInfo.InvariantCulture);
            harness.HubSpot.PutObject("deals", id, new Dictionary<string, string?> { ["dealstage"] = "closedwon" });
            await harness.Updater.UpdateAsync(Updates.Of(1, "instance.started", InstanceHealth.OnTrack, ["x"], deal: id) with { IdempotencyKey = $"d{id}:1" });
        }
        var started = DateTimeOffset.UtcNow;

        await harness.DrainAsync(TimeSpan.FromSeconds(30));

        // 10 at once (the burst), then one per second at 98 % of the rate: the last four take at least about 4 s.
        Assert.Equal(14, harness.HubSpot.Patches.Count);
        Assert.Equal(0, harness.HubSpot.RateLimited);
        Assert.True(harness.HubSpot.Patches.Max(p => p.At) - started >= TimeSpan.FromSeconds(3.5), "the limiter let more than the budget through");
    }
}

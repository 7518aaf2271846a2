using System.Diagnostics;
using Coordinator.Hosting.Tests.Support;
using Xunit.Abstractions;
using Coordinator.Testing;

namespace Coordinator.Hosting.Tests.Durability;

/// <summary>Issue 5: a whole instance run through <c>coordinator serve</c> on PostgreSQL leaves every audit row exactly once.</summary>
[Collection(DurabilityCollection.Name)]
public sealed class AuditCompletenessTests(ThrowawayAzurite azurite, PostgresFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task OnboardingRunWithBlockAndDecision_Completed_EveryAuditRowPresentExactlyOnce()
    {
        var clock = Stopwatch.StartNew();
        await using var deployment = await CoordinatorDeployment.CreateAsync(azurite, postgres, timeScale: 86_400);
        await deployment.StartAsync();
        var instanceId = await deployment.StartOnboardingAsync("D-9002");

        var final = await deployment.DriveToCompletionAsync(instanceId, blockItSetup: true, TimeSpan.FromMinutes(4));

        await DurabilityAssertions.AssertCompletedWithEveryAuditRowOnceAsync(deployment, instanceId, final);
        await DurabilityAssertions.AssertEveryNotificationDeliveredOnceAsync(deployment, instanceId);
        var rows = await deployment.AuditRowsAsync(instanceId);
        Assert.Contains(rows, r => r.Action == "decision.made" && r.StepId == "it-setup");
        output.WriteLine($"{rows.Count} audit rows, {(await deployment.Inbox.OfInstanceAsync(instanceId)).Count} notifications; {clock.Elapsed.TotalSeconds:F1} s");
    }
}

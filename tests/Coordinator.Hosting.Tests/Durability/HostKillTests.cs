using System.Diagnostics;
using Coordinator.Core.Engine;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Testing;
using Xunit.Abstractions;

namespace Coordinator.Hosting.Tests.Durability;

/// <summary>
/// <c>coordinator serve</c> as a separate process on real Azurite and real PostgreSQL, killed hard
/// while an instance waits on its timers, then started again with the same task hub and database.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class HostKillTests(ThrowawayAzurite azurite, PostgresFixture postgres, ITestOutputHelper output)
{
    /// <summary>One workflow day per real second: the contract step (due 5d, reminders 2d and 4h before) reminds after 3 s and 4.8 s.</summary>
    private const double TimeScale = 86_400;

    [Fact]
    public async Task ServeKilledWhileTimersPending_Restarted_InstanceCompletesWithNoStepLostAndNoReminderSentTwice()
    {
        var total = Stopwatch.StartNew();
        await using var deployment = await CoordinatorDeployment.CreateAsync(azurite, postgres, TimeScale);
        var clock = Stopwatch.StartNew();
        await deployment.StartAsync();
        output.WriteLine($"first start: ready after {clock.Elapsed.TotalSeconds:F1} s (pid {deployment.Process!.Id})");
        var baseUrl = deployment.Http.BaseAddress!.ToString().TrimEnd('/');
        Assert.Contains($"web inbox {baseUrl}/, API {baseUrl}/api", deployment.Process.ReadyLine, StringComparison.Ordinal);
        Assert.Contains("backend azure-storage (durable); audit PostgreSQL audit registry", deployment.Process.ReadyLine, StringComparison.Ordinal);

        var instanceId = await deployment.StartOnboardingAsync("D-9001");
        clock.Restart();
        // Kill as soon as the second reminder reaches the inbox: the turn that sent it is likely still
        // in flight (its other activities running or its history not yet checkpointed).
        await deployment.WaitForAsync(
            async () => (await deployment.Inbox.OfInstanceAsync(instanceId)).Count(n => n.Action.Type == CoordinationActionType.Reminder) >= 2 ? true : (bool?)null,
            TimeSpan.FromSeconds(90),
            "two reminders of the contract step in the inbox",
            interval: TimeSpan.FromMilliseconds(10));
        deployment.Process!.KillHard();
        output.WriteLine($"killed {clock.Elapsed.TotalSeconds:F1} s after the start of the instance");

        // What the engine had done when the host died: the contract step was active, so its timers were pending.
        var auditAtKill = await deployment.AuditRowsAsync(instanceId);
        Assert.Contains(auditAtKill, r => r.StepId == "contract" && r.Action == CoordinationActionType.StepActivated.WireName());
        Assert.DoesNotContain(auditAtKill, r => r.StepId == "contract" && r.Action == CoordinationActionType.StepCompleted.WireName());
        var remindersAtKill = auditAtKill.Where(r => r.Action == CoordinationActionType.Reminder.WireName()).ToArray();
        var notifiedAtKill = (await deployment.Inbox.OfInstanceAsync(instanceId)).Count;
        Assert.True(remindersAtKill.Length >= 1, "no reminder was audited before the kill");

        clock.Restart();
        await deployment.StartAsync();
        output.WriteLine($"restart: ready after {clock.Elapsed.TotalSeconds:F1} s (pid {deployment.Process!.Id})");
        clock.Restart();
        // A kill while a turn's activities run leaves their queue messages invisible for the Azure Storage
        // provider's visibility timeout (set to 10 s by the deployment) before the restarted host runs them again.
        var final = await deployment.DriveToCompletionAsync(instanceId, blockItSetup: false, TimeSpan.FromMinutes(3));
        output.WriteLine($"completed {clock.Elapsed.TotalSeconds:F1} s after the restart");

        // Every reminder the engine scheduled before the kill was delivered exactly once.
        var notifications = await deployment.Inbox.OfInstanceAsync(instanceId);
        foreach (var reminder in remindersAtKill)
            Assert.Single(notifications, n => n.IdempotencyKey == reminder.IdempotencyKey);
        await DurabilityAssertions.AssertEveryNotificationDeliveredOnceAsync(deployment, instanceId);
        await DurabilityAssertions.AssertCompletedWithEveryAuditRowOnceAsync(deployment, instanceId, final);

        var redelivered = deployment.Process.Output.Count(l => l.Contains("was already delivered to the inbox", StringComparison.Ordinal));
        var rows = await deployment.AuditRowsAsync(instanceId);
        output.WriteLine(
            $"audit rows {rows.Count}, reminders audited {rows.Count(r => r.Action == CoordinationActionType.Reminder.WireName())} ({remindersAtKill.Length} before the kill), "
            + $"notifications {notifications.Count} ({notifiedAtKill} before the kill), repeated deliveries refused after the restart {redelivered}; total {total.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task ServeStoppedGracefully_Restarted_ExitsCleanlyAndTheInstanceCompletesWithEveryNotificationOnce()
    {
        await using var deployment = await CoordinatorDeployment.CreateAsync(azurite, postgres, TimeScale);
        await deployment.StartAsync();
        var instanceId = await deployment.StartOnboardingAsync("D-9003");
        await deployment.WaitForAsync(
            async () => (await deployment.Inbox.OfInstanceAsync(instanceId)).Any(n => n.Action.Type == CoordinationActionType.Reminder) ? true : (bool?)null,
            TimeSpan.FromSeconds(90),
            "a reminder of the contract step in the inbox");

        var clock = Stopwatch.StartNew();
        var exitCode = await deployment.Process!.StopGracefullyAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"SIGTERM: exited with {exitCode} after {clock.Elapsed.TotalSeconds:F1} s; its last lines:\n{string.Join('\n', deployment.Process.Output.TakeLast(8))}");
        Assert.Equal(0, exitCode);
        Assert.Contains("Stopped.", deployment.Process.Output);

        await deployment.StartAsync();
        clock.Restart();
        var final = await deployment.DriveToCompletionAsync(instanceId, blockItSetup: false, TimeSpan.FromMinutes(3));
        output.WriteLine($"completed {clock.Elapsed.TotalSeconds:F1} s after the restart");
        await DurabilityAssertions.AssertEveryNotificationDeliveredOnceAsync(deployment, instanceId);
        await DurabilityAssertions.AssertCompletedWithEveryAuditRowOnceAsync(deployment, instanceId, final);
    }
}

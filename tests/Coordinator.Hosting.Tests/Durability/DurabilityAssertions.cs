using System.Text.Json;
using Coordinator.Core.Engine;
using Dapper;

namespace Coordinator.Hosting.Tests.Durability;

/// <summary>What a finished instance's audit rows and notifications must satisfy, whatever happened to the host on the way.</summary>
internal static class DurabilityAssertions
{
    /// <summary>
    /// The instance completed with every step done or skipped, and its audit rows are exactly its
    /// actions: unique idempotency keys, action sequence numbers 1..N each once (N = the completion),
    /// one activation and one completion per done step, one skip per skipped step; the table's
    /// <c>seq</c> is gapless and the hash chain verifies.
    /// </summary>
    public static async Task AssertCompletedWithEveryAuditRowOnceAsync(CoordinatorDeployment deployment, string instanceId, JsonElement final)
    {
        Assert.Equal("completed", final.GetProperty("status").GetString());
        var steps = final.GetProperty("steps").EnumerateArray()
            .Select(s => (Id: s.GetProperty("stepId").GetString()!, Status: s.GetProperty("status").GetString()!)).ToArray();
        Assert.All(steps, s => Assert.Contains(s.Status, new[] { "done", "skipped" }));

        var rows = await deployment.AuditRowsAsync(instanceId);
        Assert.Equal(rows.Count, rows.Select(r => r.IdempotencyKey).Distinct(StringComparer.Ordinal).Count());
        var completion = Assert.Single(rows, r => r.Action == CoordinationActionType.InstanceCompleted.WireName());
        Assert.Equal(Enumerable.Range(1, (int)completion.Sequence).Select(i => (long)i), rows.Select(r => r.Sequence).Order());
        Assert.Single(rows, r => r.Action == CoordinationActionType.InstanceStarted.WireName());
        foreach (var (id, status) in steps)
        {
            if (status == "done")
            {
                Assert.Single(rows, r => r.StepId == id && r.Action == CoordinationActionType.StepActivated.WireName());
                Assert.Single(rows, r => r.StepId == id && r.Action == CoordinationActionType.StepCompleted.WireName());
            }
            else
            {
                Assert.Single(rows, r => r.StepId == id && r.Action == CoordinationActionType.StepSkipped.WireName());
            }
        }

        await using (var connection = await deployment.Database.OpenConnectionAsync())
        {
            var table = await connection.QuerySingleAsync<(long Count, long Min, long Max)>("SELECT count(*), coalesce(min(seq), 0), coalesce(max(seq), 0) FROM audit_log");
            Assert.True(table.Min == 1 && table.Max == table.Count, $"audit_log.seq is not gapless: {table.Count} rows, seq {table.Min}..{table.Max}");
        }

        var instanceCheck = await deployment.Verifier.VerifyInstanceAsync(instanceId);
        Assert.True(instanceCheck.IsOk, instanceCheck.Message);
        var chainCheck = await deployment.Verifier.VerifyAsync();
        Assert.True(chainCheck.IsOk, chainCheck.Message);
    }

    /// <summary>
    /// Every notification of the instance is stored once, and the notifications are exactly the audited
    /// actions addressed to people (no gap, nothing extra); no reminder went out twice for the same step and time.
    /// </summary>
    public static async Task AssertEveryNotificationDeliveredOnceAsync(CoordinatorDeployment deployment, string instanceId)
    {
        await using (var connection = await deployment.Database.OpenConnectionAsync())
        {
            var duplicated = await connection.QueryAsync<string>(
                """
                SELECT key FROM notifications
                GROUP BY key, person_id HAVING count(*) > 1
                """);
            Assert.Empty(duplicated);
        }

        var notifications = await deployment.Inbox.OfInstanceAsync(instanceId);
        var notified = notifications.Select(n => n.IdempotencyKey).ToArray();
        Assert.Equal(notified.Length, notified.Distinct(StringComparer.Ordinal).Count());
        var addressed = (await deployment.AuditRowsAsync(instanceId)).Where(r => r.Recipients > 0).Select(r => r.IdempotencyKey);
        Assert.Equal(addressed.Order(StringComparer.Ordinal), notified.Order(StringComparer.Ordinal));

        var reminders = notifications.Where(n => n.Action.Type == CoordinationActionType.Reminder).ToArray();
        Assert.Equal(reminders.Length, reminders.Select(n => (n.Action.StepId, n.Action.At)).Distinct().Count());
    }
}

using Coordinator.Core.Ports;
using Coordinator.Orchestration;

namespace Coordinator.Hosting.SideEffects;

/// <summary>
/// The dashboard's figures when no PostgreSQL is configured, by the same rules as
/// <see cref="Persistence.Work.PostgresWorkload"/>: from the in-memory read model of open work and the
/// in-memory audit log.
/// </summary>
public sealed class InMemoryWorkload(InMemoryWorkStore work, InMemoryAuditLog? audit = null) : IWorkloadReader
{
    private static readonly string[] Outcomes = [SideEffectPlanner.EffectFailed, SideEffectPlanner.EffectRecovered, SideEffectPlanner.EffectAbandoned];

    public Task<IReadOnlyList<WorkflowWorkload>> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var running = work.RunningSnapshots();
        var runningIds = running.Select(static w => w.Instance.InstanceId).ToHashSet(StringComparer.Ordinal);
        // The latest outcome of each effect of a running instance (the audit log keeps its order).
        var latest = new Dictionary<(string Instance, string Key), AuditEntry>();
        foreach (var entry in audit?.All ?? [])
        {
            if (Array.IndexOf(Outcomes, entry.Action) < 0 || !runningIds.Contains(entry.InstanceId))
                continue;
            var key = entry.Detail is { ValueKind: System.Text.Json.JsonValueKind.Object } detail && detail.TryGetProperty("effectKey", out var k) ? k.GetString() ?? "" : "";
            latest[(entry.InstanceId, key)] = entry;
        }
        var pending = latest.Values.Where(static e => e.Action == SideEffectPlanner.EffectFailed).GroupBy(static e => e.WorkflowId, StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => (long)g.Count(), StringComparer.Ordinal);

        return Task.FromResult<IReadOnlyList<WorkflowWorkload>>([.. running
            .GroupBy(static w => w.Instance.WorkflowId, StringComparer.Ordinal)
            .OrderBy(static g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var steps = g.SelectMany(w => w.Waiting.Select(s => (Step: s, WorkflowNow: new WorkflowClock(w.Instance.StartedAt, w.Instance.TimeScale).ToWorkflowTime(now)))).ToList();
                return new WorkflowWorkload(
                    g.Key,
                    g.Count(),
                    steps.Count(static s => s.Step.Status == "active"),
                    steps.Count(static s => s.Step.Status == "blocked"),
                    steps.Count(static s => s.Step.Status == "decision"),
                    steps.Count(static s => s.Step.Due is { } due && due < s.WorkflowNow),
                    pending.GetValueOrDefault(g.Key));
            })]);
    }
}

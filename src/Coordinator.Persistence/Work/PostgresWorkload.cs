using Coordinator.Core.Ports;
using Dapper;
using Npgsql;

namespace Coordinator.Persistence.Work;

/// <summary>
/// The dashboard's figures from the read models in one query: running instances and their waiting
/// steps from <c>work_instances.waiting</c> (overdue in each instance's workflow time:
/// <c>started_at + (now − started_at) × time_scale</c>), and the side effects of running instances
/// whose latest audited outcome is <c>side_effect.failed</c> (neither recovered nor abandoned since).
/// </summary>
public sealed class PostgresWorkload(NpgsqlDataSource dataSource) : IWorkloadReader
{
    private const string WorkloadSql = """
        WITH running AS (
            SELECT instance_id, workflow_id, started_at, time_scale, waiting FROM work_instances WHERE NOT completed),
        steps AS (
            SELECT r.workflow_id,
                   count(*) FILTER (WHERE s ->> 'status' = 'active') AS active,
                   count(*) FILTER (WHERE s ->> 'status' = 'blocked') AS blocked,
                   count(*) FILTER (WHERE s ->> 'status' = 'decision') AS decisions,
                   count(*) FILTER (WHERE (s ->> 'due')::timestamptz < r.started_at + (@now - r.started_at) * r.time_scale) AS overdue
            FROM running r CROSS JOIN LATERAL jsonb_array_elements(r.waiting) AS s
            GROUP BY r.workflow_id),
        instances AS (
            SELECT workflow_id, count(*) AS running FROM running GROUP BY workflow_id),
        effects AS (
            SELECT workflow_id, count(*) AS pending
            FROM (SELECT DISTINCT ON (a.instance_id, a.detail ->> 'effectKey') a.workflow_id, a.action
                  FROM audit_log a JOIN running r USING (instance_id)
                  WHERE a.action IN ('side_effect.failed', 'side_effect.recovered', 'side_effect.abandoned')
                  ORDER BY a.instance_id, a.detail ->> 'effectKey', a.seq DESC) latest
            WHERE action = 'side_effect.failed'
            GROUP BY workflow_id)
        SELECT i.workflow_id, i.running AS running, coalesce(s.active, 0) AS active, coalesce(s.blocked, 0) AS blocked,
               coalesce(s.decisions, 0) AS decisions, coalesce(s.overdue, 0) AS overdue, coalesce(e.pending, 0) AS pending
        FROM instances i
        LEFT JOIN steps s USING (workflow_id)
        LEFT JOIN effects e USING (workflow_id)
        ORDER BY i.workflow_id
        """;

    public async Task<IReadOnlyList<WorkflowWorkload>> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<WorkloadRow>(new CommandDefinition(WorkloadSql, new { now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(static r => new WorkflowWorkload(r.workflow_id, r.running, r.active, r.blocked, r.decisions, r.overdue, r.pending))];
    }

#pragma warning disable IDE1006, CA1707 // Names match the columns.
    private sealed record WorkloadRow(string workflow_id, long running, long active, long blocked, long decisions, long overdue, long pending);
#pragma warning restore IDE1006, CA1707
}

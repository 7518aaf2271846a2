using System.Text.Json;
using Coordinator.Core.Definitions;
using Coordinator.Core.Ports;
using Dapper;
using Npgsql;

namespace Coordinator.Persistence.Work;

/// <summary>
/// The "waiting on" projection in PostgreSQL: <c>work_instances</c> (one row per instance: its
/// version, whether it completed, whom its running steps wait on), <c>work_items</c> (one row per
/// person's open item) and <c>work_people</c> (the people it names, with their roles), both keyed by
/// person first. A snapshot is written in
/// one transaction, and only over an older version: the upsert of the instance row locks it, so
/// concurrent writers of one instance take turns and the newest wins. Reads are index ranges.
/// </summary>
public sealed class PostgresWorkStore(NpgsqlDataSource dataSource) : IWorkProjection, IWorkQueries
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string UpsertInstanceSql = """
        INSERT INTO work_instances AS w (instance_id, workflow_id, workflow_title, business_key, started_at, time_scale, completed, version, waiting)
        VALUES (@InstanceId, @WorkflowId, @WorkflowTitle, @BusinessKey, @StartedAt, @TimeScale, @Completed, @Version, @Waiting::jsonb)
        ON CONFLICT (instance_id) DO UPDATE
            SET workflow_title = excluded.workflow_title, business_key = excluded.business_key, completed = excluded.completed,
                version = excluded.version, waiting = excluded.waiting, updated_at = now()
            WHERE w.version <= excluded.version
        RETURNING instance_id
        """;

    private const string InsertItemsSql = """
        INSERT INTO work_items (person_id, instance_id, step_id, kind, title, status, due_at, escalation_level, block_reason, blocked_by, options)
        SELECT i.person_id, @instanceId, i.step_id, i.kind, i.title, i.status, i.due_at, i.escalation_level, i.block_reason, i.blocked_by, i.options
        FROM jsonb_to_recordset(@items::jsonb) AS i(
            person_id text, step_id text, kind text, title text, status text, due_at timestamptz,
            escalation_level integer, block_reason text, blocked_by text, options jsonb)
        ON CONFLICT DO NOTHING
        """;

    private const string WaitingOnSql = """
        SELECT w.instance_id, w.workflow_id, w.workflow_title, w.business_key, w.started_at, w.time_scale,
               i.person_id, i.step_id, i.title, i.kind, i.status, i.due_at, i.escalation_level, i.block_reason, i.blocked_by, i.options::text AS options
        FROM work_items i JOIN work_instances w USING (instance_id)
        WHERE i.person_id = @personId AND NOT w.completed
        ORDER BY i.due_at NULLS LAST, w.started_at, i.instance_id, i.step_id, i.kind
        LIMIT @limit
        """;

    private const string RunningSql = """
        SELECT instance_id, workflow_id, workflow_title, business_key, started_at, time_scale, waiting::text AS waiting
        FROM work_instances
        WHERE NOT completed
        ORDER BY started_at DESC, instance_id
        LIMIT @limit
        """;

    private const string NamingSql = """
        SELECT w.instance_id, w.workflow_id, w.workflow_title, w.business_key, w.started_at, w.time_scale, w.waiting::text AS waiting
        FROM work_instances w
        WHERE NOT w.completed AND EXISTS (SELECT 1 FROM work_people p WHERE p.person_id = @personId AND p.instance_id = w.instance_id)
        ORDER BY w.started_at DESC, w.instance_id
        LIMIT @limit
        """;

    // A block's reason is on each of its deciders' and owners' items; one row per step.
    private const string BlocksSql = """
        SELECT DISTINCT ON (instance_id, step_id) instance_id, step_id, block_reason, blocked_by
        FROM work_items
        WHERE instance_id = ANY(@instanceIds) AND block_reason IS NOT NULL
        ORDER BY instance_id, step_id, kind
        """;

    private const string InsertPeopleSql = """
        INSERT INTO work_people (person_id, instance_id, role)
        SELECT person, @instanceId, role FROM unnest(@people::text[], @roles::text[]) AS p(person, role)
        ON CONFLICT DO NOTHING
        """;

    // The people of running instances with their roles there, and their open items (a completed
    // instance keeps neither items nor people, so both tables hold running instances only).
    private const string PeopleSql = """
        WITH roles AS (
            SELECT person_id, array_agg(DISTINCT role ORDER BY role) FILTER (WHERE role <> '') AS roles
            FROM work_people GROUP BY person_id),
        open AS (
            SELECT person_id, count(*)::int AS open_items FROM work_items GROUP BY person_id)
        SELECT r.person_id, coalesce(r.roles, '{}') AS roles, coalesce(o.open_items, 0) AS open_items
        FROM roles r LEFT JOIN open o USING (person_id)
        ORDER BY r.person_id
        """;

    public async Task<bool> ProjectAsync(InstanceWork work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        var instance = work.Instance;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var written = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            UpsertInstanceSql,
            new
            {
                instance.InstanceId,
                instance.WorkflowId,
                instance.WorkflowTitle,
                instance.BusinessKey,
                instance.StartedAt,
                instance.TimeScale,
                work.Completed,
                work.Version,
                Waiting = JsonSerializer.Serialize(work.Waiting, Json),
            },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (written is null)
        {
            // A newer snapshot is stored: this one is late (a retry, or a lost execution of an earlier turn).
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM work_items WHERE instance_id = @instanceId; DELETE FROM work_people WHERE instance_id = @instanceId",
            new { instanceId = instance.InstanceId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (!work.Completed && work.People.Count > 0)
        {
            var named = work.People.SelectMany(static p => p.Value.Count == 0 ? [(p.Key, "")] : p.Value.Select(role => (p.Key, role))).ToArray();
            await connection.ExecuteAsync(new CommandDefinition(
                InsertPeopleSql,
                new { instanceId = instance.InstanceId, people = named.Select(static n => n.Key).ToArray(), roles = named.Select(static n => n.Item2).ToArray() },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        if (!work.Completed && work.Items.Count > 0)
        {
            var items = JsonSerializer.Serialize(work.Items.Select(static i => new ItemRow(
                i.PersonId, i.StepId, KindName(i.Kind), i.Title, i.Status, i.Due, i.EscalationLevel, i.BlockReason, i.BlockedBy, i.Options)), Json);
            await connection.ExecuteAsync(new CommandDefinition(
                InsertItemsSql, new { instanceId = instance.InstanceId, items }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private const string WithdrawSql = """
        WITH ended AS (
            UPDATE work_instances SET completed = true, version = 9223372036854775807, waiting = '[]', updated_at = now()
            WHERE instance_id = ANY(@instanceIds) AND NOT completed
            RETURNING instance_id, workflow_id, workflow_title, business_key, started_at, time_scale
        ), items AS (
            DELETE FROM work_items WHERE instance_id IN (SELECT instance_id FROM ended)
        ), people AS (
            DELETE FROM work_people WHERE instance_id IN (SELECT instance_id FROM ended)
        )
        SELECT instance_id AS InstanceId, workflow_id AS WorkflowId, workflow_title AS WorkflowTitle, business_key AS BusinessKey,
               started_at AS StartedAt, time_scale AS TimeScale
        FROM ended
        """;

    private sealed record EndedRow(string InstanceId, string WorkflowId, string WorkflowTitle, string? BusinessKey, DateTime StartedAt, double TimeScale);

    public async Task<IReadOnlyList<WorkInstance>> WithdrawAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        if (instanceIds.Count == 0)
            return [];
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<EndedRow>(new CommandDefinition(WithdrawSql, new { instanceIds = instanceIds.ToArray() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(static row => new WorkInstance(row.InstanceId, row.WorkflowId, row.WorkflowTitle, row.BusinessKey,
            new DateTimeOffset(DateTime.SpecifyKind(row.StartedAt, DateTimeKind.Utc)), row.TimeScale))];
    }

    public async Task<IReadOnlyList<PersonWorkItem>> WaitingOnAsync(string personId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(personId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<WorkItemRow>(new CommandDefinition(WaitingOnSql, new { personId, limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(static r => new PersonWorkItem(
            new WorkInstance(r.instance_id, r.workflow_id, r.workflow_title, r.business_key, r.started_at, r.time_scale),
            new WorkItem(r.person_id, r.step_id, r.title, ParseKind(r.kind), r.status, r.due_at, r.escalation_level, r.block_reason, r.blocked_by,
                JsonSerializer.Deserialize<DecisionOption[]>(r.options, Json) ?? [])))];
    }

    public async Task<IReadOnlyList<RunningWork>> RunningAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<RunningRow>(new CommandDefinition(RunningSql, new { limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(static r => new RunningWork(
            new WorkInstance(r.instance_id, r.workflow_id, r.workflow_title, r.business_key, r.started_at, r.time_scale),
            JsonSerializer.Deserialize<WaitingStepWork[]>(r.waiting, Json) ?? []))];
    }

    public async Task<bool> NamesAsync(string personId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(personId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM work_people WHERE person_id = @personId)", new { personId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WorkStanding>> NamingAsync(string personId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(personId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<RunningRow>(new CommandDefinition(NamingSql, new { personId, limit }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        if (rows.Count == 0)
            return [];
        var blocks = (await connection.QueryAsync<BlockRow>(new CommandDefinition(
            BlocksSql, new { instanceIds = rows.Select(static r => r.instance_id).ToArray() }, cancellationToken: cancellationToken)).ConfigureAwait(false))
            .ToLookup(static b => b.instance_id, StringComparer.Ordinal);
        return [.. rows.Select(r => new WorkStanding(
            new WorkInstance(r.instance_id, r.workflow_id, r.workflow_title, r.business_key, r.started_at, r.time_scale),
            JsonSerializer.Deserialize<WaitingStepWork[]>(r.waiting, Json) ?? [],
            [.. blocks[r.instance_id].Select(static b => new StepBlock(b.step_id, b.block_reason, b.blocked_by))]))];
    }

    public async Task<IReadOnlyList<PersonWorkload>> PeopleAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<PersonRow>(new CommandDefinition(PeopleSql, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(static r => new PersonWorkload(r.person_id, r.roles, r.open_items))];
    }

    internal static string KindName(WorkKind kind) => kind switch
    {
        WorkKind.Step => "step",
        WorkKind.Decision => "decision",
        WorkKind.Block => "block",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown kind of work item."),
    };

    private static WorkKind ParseKind(string kind) => kind switch
    {
        "step" => WorkKind.Step,
        "decision" => WorkKind.Decision,
        "block" => WorkKind.Block,
        _ => throw new InvalidOperationException($"work_items holds an unknown kind '{kind}'."),
    };

    // jsonb_to_recordset reads these names (snake_case, as the columns).
#pragma warning disable IDE1006, CA1707 // Names match the columns.
    private sealed record ItemRow(
        [property: System.Text.Json.Serialization.JsonPropertyName("person_id")] string PersonId,
        [property: System.Text.Json.Serialization.JsonPropertyName("step_id")] string StepId,
        [property: System.Text.Json.Serialization.JsonPropertyName("kind")] string Kind,
        [property: System.Text.Json.Serialization.JsonPropertyName("title")] string Title,
        [property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status,
        [property: System.Text.Json.Serialization.JsonPropertyName("due_at")] DateTimeOffset? DueAt,
        [property: System.Text.Json.Serialization.JsonPropertyName("escalation_level")] int EscalationLevel,
        [property: System.Text.Json.Serialization.JsonPropertyName("block_reason")] string? BlockReason,
        [property: System.Text.Json.Serialization.JsonPropertyName("blocked_by")] string? BlockedBy,
        [property: System.Text.Json.Serialization.JsonPropertyName("options")] IReadOnlyList<DecisionOption> Options);

    private sealed record WorkItemRow(
        string instance_id, string workflow_id, string workflow_title, string? business_key, DateTime started_at, double time_scale,
        string person_id, string step_id, string title, string kind, string status, DateTime? due_at, int escalation_level,
        string? block_reason, string? blocked_by, string options);

    private sealed record BlockRow(string instance_id, string step_id, string block_reason, string? blocked_by);

    private sealed record RunningRow(string instance_id, string workflow_id, string workflow_title, string? business_key, DateTime started_at, double time_scale, string waiting);

    private sealed class PersonRow
    {
        public string person_id { get; init; } = "";
        public string[] roles { get; init; } = [];
        public int open_items { get; init; }
    }
#pragma warning restore IDE1006, CA1707
}

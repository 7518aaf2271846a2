using Coordinator.Core.Definitions;
using Coordinator.Core.Ports;
using Dapper;
using Npgsql;

namespace Coordinator.Persistence.Crm;

/// <summary>The starts CRM webhooks asked for, in <c>crm_starts</c> (see <see cref="ICrmStarts"/>): one row per (source, event, workflow), claimed with a lease.</summary>
public sealed class PostgresCrmStarts(NpgsqlDataSource dataSource) : ICrmStarts
{
    private const string AcceptSql = """
        INSERT INTO crm_starts (source, event_id, workflow_id, object_type, object_id, property_value)
        SELECT * FROM unnest(@sources::text[], @events::text[], @workflows::text[], @types::text[], @objects::text[], @values::text[])
        ON CONFLICT (source, event_id, workflow_id) DO NOTHING
        """;

    private const string ClaimSql = """
        WITH due AS (
            SELECT id FROM crm_starts
            WHERE status = 'pending' AND not_before <= clock_timestamp() AND (leased_until IS NULL OR leased_until < clock_timestamp())
            ORDER BY not_before, id
            LIMIT @max
            FOR UPDATE SKIP LOCKED
        )
        UPDATE crm_starts s SET leased_until = clock_timestamp() + @lease, attempts = s.attempts + 1
        FROM due
        WHERE s.id = due.id AND s.status = 'pending' AND (s.leased_until IS NULL OR s.leased_until < clock_timestamp())
        RETURNING s.id, s.source, s.event_id AS EventId, s.workflow_id AS WorkflowId, s.object_type AS ObjectType, s.object_id AS ObjectId,
                  s.property_value AS PropertyValue, s.attempts
        """;

    private sealed record ClaimedRow(long Id, string Source, string EventId, string WorkflowId, string ObjectType, string ObjectId, string? PropertyValue, int Attempts);

    public async Task<int> AcceptAsync(IReadOnlyList<CrmStartRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
            return 0;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(AcceptSql, new
        {
            sources = requests.Select(static r => r.Source).ToArray(),
            events = requests.Select(static r => r.EventId).ToArray(),
            workflows = requests.Select(static r => r.WorkflowId).ToArray(),
            types = requests.Select(static r => r.Object.WireName()).ToArray(),
            objects = requests.Select(static r => r.ObjectId).ToArray(),
            values = requests.Select(static r => r.PropertyValue).ToArray(),
        }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ClaimedCrmStart>> ClaimAsync(int max, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ClaimedRow>(new CommandDefinition(ClaimSql, new { max, lease }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(static r => new ClaimedCrmStart(
            r.Id, new CrmStartRequest(r.Source, r.EventId, r.WorkflowId, CrmObjectTypes.Parse(r.ObjectType) ?? CrmObjectType.Deal, r.ObjectId, r.PropertyValue), r.Attempts))];
    }

    public async Task CompleteAsync(long id, string? instanceId, string outcome, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE crm_starts SET status = 'done', instance_id = @instanceId, outcome = @outcome, leased_until = NULL, done_at = clock_timestamp() WHERE id = @id",
            new { id, instanceId, outcome }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task RetryLaterAsync(long id, TimeSpan delay, string error, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE crm_starts SET leased_until = NULL, not_before = clock_timestamp() + @delay, last_error = left(@error, 500) WHERE id = @id AND status = 'pending'",
            new { id, delay, error }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}

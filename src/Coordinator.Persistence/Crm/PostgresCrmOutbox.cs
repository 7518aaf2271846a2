using System.Text.Json;
using Coordinator.Core.Definitions;
using Coordinator.Core.Ports;
using Dapper;
using Npgsql;

namespace Coordinator.Persistence.Crm;

/// <summary>
/// The CRM outbox in <c>crm_records</c> / <c>crm_outbox</c> (see <see cref="ICrmOutbox"/>). A record is claimed with
/// <c>FOR UPDATE SKIP LOCKED</c> and a lease re-checked on the row's latest version, so one dispatcher (of any host) holds
/// it at a time. Times are the database's, so hosts with different clocks agree on what is due.
/// </summary>
public sealed class PostgresCrmOutbox(NpgsqlDataSource dataSource) : ICrmOutbox
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // One statement: the record's row (kept once) and the update (idempotent on its key); answers the update's id when new.
    private const string EnqueueSql = """
        WITH record AS (
            INSERT INTO crm_records (object_type, object_id) VALUES (@type, @objectId) ON CONFLICT DO NOTHING
        )
        INSERT INTO crm_outbox (idempotency_key, object_type, object_id, instance_id, workflow_id, sequence, update, note_state)
        VALUES (@key, @type, @objectId, @instanceId, @workflowId, @sequence, @update::jsonb, @note)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id
        """;

    private const string ClaimSql = """
        WITH due AS (
            SELECT r.object_type, r.object_id FROM crm_records r
            WHERE r.not_before <= clock_timestamp() AND (r.leased_until IS NULL OR r.leased_until < clock_timestamp())
              AND EXISTS (SELECT 1 FROM crm_outbox o WHERE o.object_type = r.object_type AND o.object_id = r.object_id AND o.status = 'pending')
            ORDER BY r.not_before
            LIMIT 1
            FOR UPDATE OF r SKIP LOCKED
        )
        UPDATE crm_records r SET leased_until = clock_timestamp() + @lease
        FROM due
        WHERE r.object_type = due.object_type AND r.object_id = due.object_id AND (r.leased_until IS NULL OR r.leased_until < clock_timestamp())
        RETURNING r.object_type AS ObjectType, r.object_id AS ObjectId, r.failures, r.first_failed_at AS FirstFailedAt
        """;

    private const string PendingSql = """
        SELECT id, update::text AS Update, note_state AS NoteState FROM crm_outbox
        WHERE object_type = @type AND object_id = @objectId AND status = 'pending'
        ORDER BY sequence, id
        """;

    private const string NextDueSql = """
        SELECT min(greatest(r.not_before, coalesce(r.leased_until, r.not_before))) FROM crm_records r
        WHERE EXISTS (SELECT 1 FROM crm_outbox o WHERE o.object_type = r.object_type AND o.object_id = r.object_id AND o.status = 'pending')
        """;

    private const string CompleteSql = """
        UPDATE crm_outbox SET status = 'done', done_at = clock_timestamp() WHERE id = ANY(@ids) AND status = 'pending';
        UPDATE crm_records SET leased_until = NULL, failures = 0, first_failed_at = NULL, last_error = NULL, not_before = clock_timestamp()
        WHERE object_type = @type AND object_id = @objectId;
        """;

    private const string RetryLaterSql = """
        UPDATE crm_records
        SET leased_until = NULL, not_before = clock_timestamp() + @delay, last_error = @error,
            failures = failures + CASE WHEN @failed THEN 1 ELSE 0 END,
            first_failed_at = CASE WHEN @failed THEN coalesce(first_failed_at, clock_timestamp()) ELSE first_failed_at END
        WHERE object_type = @type AND object_id = @objectId
        """;

    private const string RefuseSql = """
        UPDATE crm_outbox SET status = 'failed', last_error = @error, done_at = clock_timestamp() WHERE id = ANY(@ids) AND status = 'pending';
        UPDATE crm_records SET leased_until = NULL, not_before = clock_timestamp() WHERE object_type = @type AND object_id = @objectId;
        """;

    private sealed record ClaimedRecord(string ObjectType, string ObjectId, int Failures, DateTime? FirstFailedAt);

    private sealed record PendingRow(long Id, string Update, string NoteState);

    public async Task<bool> EnqueueAsync(CrmUpdate update, bool writesNote, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var inserted = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(EnqueueSql, new
        {
            type = update.Object.WireName(),
            objectId = update.BusinessKey,
            key = update.IdempotencyKey,
            instanceId = update.InstanceId,
            workflowId = update.WorkflowId,
            sequence = update.Sequence,
            update = JsonSerializer.Serialize(update, Json),
            note = writesNote ? "pending" : "none",
        }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return inserted is not null;
    }

    public async Task<CrmClaim?> ClaimAsync(TimeSpan lease, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var record = await connection.QuerySingleOrDefaultAsync<ClaimedRecord>(new CommandDefinition(ClaimSql, new { lease }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (record is null)
            return null;
        var rows = await connection.QueryAsync<PendingRow>(new CommandDefinition(PendingSql, new { type = record.ObjectType, objectId = record.ObjectId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var updates = rows.Select(static r => new CrmPendingUpdate(r.Id, JsonSerializer.Deserialize<CrmUpdate>(r.Update, Json)!, r.NoteState switch
        {
            "pending" => CrmNoteState.Pending,
            "attempted" => CrmNoteState.Attempted,
            "sent" => CrmNoteState.Sent,
            _ => CrmNoteState.None,
        })).ToList();
        DateTimeOffset? firstFailed = record.FirstFailedAt is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
        return new CrmClaim(CrmObjectTypes.Parse(record.ObjectType) ?? CrmObjectType.Deal, record.ObjectId, record.Failures, firstFailed, updates);
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var next = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(NextDueSql, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return next is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
    }

    public Task NoteAttemptedAsync(long id, CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE crm_outbox SET note_state = 'attempted' WHERE id = @id AND note_state = 'pending'", new { id }, cancellationToken);

    public Task NoteSentAsync(long id, string noteId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE crm_outbox SET note_state = 'sent', note_id = @noteId WHERE id = @id", new { id, noteId }, cancellationToken);

    public Task CompleteAsync(CrmClaim claim, IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return ExecuteAsync(CompleteSql, new { ids = ids.ToArray(), type = claim.Object.WireName(), objectId = claim.ObjectId }, cancellationToken);
    }

    public Task RetryLaterAsync(CrmClaim claim, TimeSpan delay, string error, bool failed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return ExecuteAsync(RetryLaterSql, new { type = claim.Object.WireName(), objectId = claim.ObjectId, delay, error = Truncate(error), failed }, cancellationToken);
    }

    public Task RefuseAsync(CrmClaim claim, IReadOnlyCollection<long> ids, string error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return ExecuteAsync(RefuseSql, new { ids = ids.ToArray(), type = claim.Object.WireName(), objectId = claim.ObjectId, error = Truncate(error) }, cancellationToken);
    }

    private static string Truncate(string error) => error.Length <= 500 ? error : error[..500];

    private async Task ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}

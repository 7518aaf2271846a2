using System.Text.Json;
using Coordinator.Core.Ports;
using Npgsql;

namespace Coordinator.Persistence.Audit;

/// <summary>
/// <see cref="IAuditLog"/> on PostgreSQL. Each append is one transaction that locks the chain head
/// (<c>SELECT ... FOR UPDATE</c>), hashes the new rows in order, inserts them in one statement
/// (<c>ON CONFLICT DO NOTHING</c>) and moves the head. Entries whose idempotency key is already
/// recorded are skipped: the unique index detects them, and the append is redone without them.
/// </summary>
public sealed class PostgresAuditLog(NpgsqlDataSource dataSource) : IAuditLog
{
    private const string LockSql = "SELECT seq, hash FROM audit_chain_head FOR UPDATE";
    private const string ExistingKeysSql = "SELECT idempotency_key FROM audit_log WHERE idempotency_key = ANY($1)";

    // The detail is hashed as PostgreSQL renders the stored jsonb, so it is normalized by the server first.
    private const string NormalizeDetailSql =
        "SELECT d::jsonb::text FROM unnest($1::text[]) WITH ORDINALITY AS t(d, n) ORDER BY n";

    private const string InsertSql = """
        INSERT INTO audit_log (seq, at, instance_id, workflow_id, workflow_version, business_key, step_id,
                               action, actor, verdict, detail, idempotency_key, prev_hash, hash)
        SELECT seq, at, instance_id, workflow_id, workflow_version, business_key, step_id,
               action, actor, verdict, detail::jsonb, idempotency_key, prev_hash, hash
        FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::text[],
                    $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::bytea[], $14::bytea[])
             AS t(seq, at, instance_id, workflow_id, workflow_version, business_key, step_id,
                  action, actor, verdict, detail, idempotency_key, prev_hash, hash)
        ON CONFLICT (idempotency_key) DO NOTHING
        """;

    private const string MoveHeadSql = "UPDATE audit_chain_head SET seq = $1, hash = $2, updated_at = now()";

    public async Task<AuditAppendResult> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var unique = DistinctByKey(entries);

        // Optimistic first: assume no key is recorded yet (the normal case) and let the unique index
        // say otherwise; on a conflict, roll back and retry with an explicit check of the keys.
        var appended = await TryAppendAsync(unique, checkRecordedKeys: false, cancellationToken).ConfigureAwait(false)
            ?? await TryAppendAsync(unique, checkRecordedKeys: true, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException(
                "An audit append conflicted with idempotency keys written outside the chain lock; the transaction was rolled back. Only PostgresAuditLog may insert into audit_log.");
        return new AuditAppendResult(appended.Count, entries.Count - appended.Count, appended.HeadSeq);
    }

    /// <summary>One transaction; null when an idempotency key turned out to be recorded already (rolled back).</summary>
    private async Task<(int Count, long HeadSeq)?> TryAppendAsync(
        List<AuditEntry> entries, bool checkRecordedKeys, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        var (headSeq, headHash, recorded, details) = await LockHeadAsync(connection, transaction, entries, checkRecordedKeys, cancellationToken)
            .ConfigureAwait(false);

        var hasher = new AuditRowHasher();
        var rows = new AuditRowArrays(entries.Count - recorded.Count);
        var prevHash = headHash;
        var seq = headSeq;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (recorded.Contains(entry.IdempotencyKey))
            {
                continue;
            }

            seq++;
            var content = new AuditRowContent(
                seq,
                AuditRowHasher.TruncateToMicroseconds(entry.At),
                entry.InstanceId,
                entry.WorkflowId,
                entry.WorkflowVersion,
                entry.BusinessKey,
                entry.StepId,
                entry.Action,
                entry.Actor,
                AuditVerdicts.ToColumn(entry.Verdict),
                details[i],
                entry.IdempotencyKey);
            var hash = hasher.ComputeHash(prevHash, content);
            rows.Add(content, prevHash, hash);
            prevHash = hash;
        }

        if (rows.Count > 0)
        {
            var insert = new NpgsqlCommand(InsertSql, connection, transaction);
            await using (insert.ConfigureAwait(false))
            {
                rows.AddParameters(insert.Parameters);
                if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != rows.Count)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    return null;
                }
            }

            var moveHead = new NpgsqlCommand(MoveHeadSql, connection, transaction) { Parameters = { new() { Value = seq }, new() { Value = prevHash } } };
            await using (moveHead.ConfigureAwait(false))
            {
                await moveHead.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (rows.Count, seq);
    }

    private static List<AuditEntry> DistinctByKey(IReadOnlyList<AuditEntry> entries)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unique = new List<AuditEntry>(entries.Count);
        foreach (var entry in entries)
        {
            Validate(entry);
            if (seen.Add(entry.IdempotencyKey))
            {
                unique.Add(entry);
            }
        }

        return unique;
    }

    private static void Validate(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Require(entry.IdempotencyKey, nameof(AuditEntry.IdempotencyKey));
        Require(entry.InstanceId, nameof(AuditEntry.InstanceId));
        Require(entry.WorkflowId, nameof(AuditEntry.WorkflowId));
        Require(entry.Action, nameof(AuditEntry.Action));
        Require(entry.Actor, nameof(AuditEntry.Actor));

        void Require(string value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException(
                    $"Audit entry '{entry.IdempotencyKey}' ({entry.Action}) has no {name}; every audit row needs one.",
                    nameof(entry));
            }
        }
    }

    private static string DetailText(AuditEntry entry) =>
        entry.Detail is { ValueKind: not JsonValueKind.Undefined } detail ? detail.GetRawText() : "{}";

    private static async Task<(long Seq, byte[] Hash, HashSet<string> Recorded, List<string> Details)> LockHeadAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<AuditEntry> entries, bool checkRecordedKeys,
        CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(LockSql),
                new NpgsqlBatchCommand(NormalizeDetailSql) { Parameters = { new() { Value = entries.Select(DetailText).ToArray() } } },
            },
        };
        if (checkRecordedKeys)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(ExistingKeysSql) { Parameters = { new() { Value = entries.Select(e => e.IdempotencyKey).ToArray() } } });
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("The audit_chain_head row is missing; the database schema is damaged. Run `coordinator audit verify` and restore from backup.");
        }

        var seq = reader.GetInt64(0);
        var hash = reader.GetFieldValue<byte[]>(1);

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var details = new List<string>(entries.Count);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            details.Add(reader.GetString(0));
        }

        var recorded = new HashSet<string>(StringComparer.Ordinal);
        if (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                recorded.Add(reader.GetString(0));
            }
        }

        return (seq, hash, recorded, details);
    }
}

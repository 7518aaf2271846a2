using System.Text.Json;
using Coordinator.Core.Ports;
using Npgsql;

namespace Coordinator.Persistence.Audit;

/// <summary>
/// <see cref="IAuditLog"/> on PostgreSQL. Each append is one call of the database function
/// <c>audit_append()</c> (migrations 0006 and 0008), the only way to write to <c>audit_log</c>: in one
/// statement it locks the chain head, assigns the sequence numbers, computes the hash chain, skips
/// recorded idempotency keys and refuses a second action with an instance's action number, or an
/// engine action whose key is recorded with other content (recording an <c>action.superseded</c>
/// row instead, and returning the detail of the action it kept). The application role has no direct write
/// privilege on the registry.
/// </summary>
public sealed class PostgresAuditLog(NpgsqlDataSource dataSource) : IAuditLog
{
    private const string HeadSql = "SELECT seq FROM audit_chain_head";

    public async Task<AuditAppendResult> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var batch = DistinctByKey(entries);
        if (batch.Count == 0)
        {
            await using var head = dataSource.CreateCommand(HeadSql);
            var seq = await head.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The audit_chain_head row is missing; the database schema is damaged. Run `coordinator audit verify` and restore from backup.");
            return new AuditAppendResult(0, entries.Count, (long)seq);
        }

        await using var command = dataSource.CreateCommand(AuditAppendBatch.AppendSql);
        batch.AddParameters(command.Parameters);
        int appended = 0;
        var superseded = new List<string>();
        var kept = new List<JsonElement>();
        long headSeq = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                switch (reader.GetString(1))
                {
                    case "appended":
                        appended++;
                        break;
                    case "superseded":
                    case "withheld":
                        superseded.Add(reader.GetString(0));
                        kept.Add(reader.IsDBNull(3) ? default : ParseDetail(reader.GetString(3)));
                        break;
                }

                headSeq = reader.GetInt64(2);
            }
        }

        return new AuditAppendResult(appended, entries.Count - appended - superseded.Count, headSeq, superseded.Count)
        {
            SupersededKeys = superseded,
            KeptDetails = kept,
        };
    }

    private static AuditAppendBatch DistinctByKey(IReadOnlyList<AuditEntry> entries)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var batch = new AuditAppendBatch(entries.Count);
        foreach (var entry in entries)
        {
            Validate(entry);
            if (seen.Add(entry.IdempotencyKey))
            {
                batch.Add(entry, DetailText(entry));
            }
        }

        return batch;
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

    private static JsonElement ParseDetail(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static string DetailText(AuditEntry entry) =>
        entry.Detail is { ValueKind: not JsonValueKind.Undefined } detail ? detail.GetRawText() : "{}";
}

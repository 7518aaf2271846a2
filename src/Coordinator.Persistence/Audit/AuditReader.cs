using System.Data;
using System.Runtime.CompilerServices;
using Npgsql;

namespace Coordinator.Persistence.Audit;

/// <summary>Streams audit rows in sequence order (what the exports and <c>GET /api/audit</c> serve).</summary>
public sealed class AuditReader(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        SELECT seq, at, instance_id, workflow_id, workflow_version, business_key, step_id, action, actor, verdict,
               detail::text, idempotency_key, prev_hash, hash
        FROM audit_log
        """;

    public async IAsyncEnumerable<AuditRecord> ReadAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = query.InstanceId is not null
            ? Columns + " WHERE instance_id = $1 ORDER BY seq"
            : Columns + " WHERE business_key = $1 ORDER BY seq";

        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = query.InstanceId ?? query.BusinessKey });
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new AuditRecord(
                reader.GetInt64(0),
                new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetString(7),
                reader.GetString(8),
                reader.GetString(9),
                reader.GetString(10),
                reader.GetString(11),
                Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(12)),
                Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(13)));
        }
    }
}

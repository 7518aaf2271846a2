using System.Data;
using System.Runtime.CompilerServices;
using Npgsql;

namespace Coordinator.Persistence.Audit;

/// <summary>Streams audit rows in sequence order (what the exports and <c>GET /api/audit</c> serve).</summary>
public sealed class AuditReader(NpgsqlDataSource dataSource)
{
    private static readonly string Columns = "SELECT " + AuditColumns.SelectList() + " FROM audit_log";

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
            var row = AuditColumns.Read(reader);
            yield return AuditRecord.From(row, reader.GetFieldValue<byte[]>(AuditColumns.PrevHashOrdinal), reader.GetFieldValue<byte[]>(AuditColumns.HashOrdinal));
        }
    }
}

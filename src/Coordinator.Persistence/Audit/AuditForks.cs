using Npgsql;

namespace Coordinator.Persistence.Audit;

/// <summary>
/// Two or more actions recorded under one (instance, action number): the registry forked. The fork
/// rule of migration 0006 prevents new ones; a registry written before it may hold some.
/// </summary>
/// <param name="Sequence">The engine's action number, <c>detail->>'sequence'</c>.</param>
/// <param name="Seqs">The rows that hold it, in chain order (the first is the one the registry keeps).</param>
public sealed record AuditFork(string InstanceId, string Sequence, IReadOnlyList<long> Seqs, IReadOnlyList<string> IdempotencyKeys, IReadOnlyList<string> Actions)
{
    public override string ToString() =>
        $"instance '{InstanceId}', action number {Sequence}: "
        + string.Join(", ", Seqs.Select((seq, i) => $"seq {seq} {Actions[i]} ({IdempotencyKeys[i]})"));
}

/// <summary>An <c>action.superseded</c> row: an action the registry refused because another one already held its number.</summary>
public sealed record AuditSupersession(long Seq, string InstanceId, string? Sequence, string? KeptIdempotencyKey, string? RefusedIdempotencyKey, string? RefusedAction)
{
    public override string ToString() =>
        $"seq {Seq}: instance '{InstanceId}', action number {Sequence}: kept {KeptIdempotencyKey}, refused {RefusedAction} ({RefusedIdempotencyKey})";
}

/// <summary>The fork checks of a verification, run in the verification's snapshot.</summary>
internal static class AuditForkScan
{
    // The auditors' query of docs/audit.md, with the rows named.
    private const string ForksSql = """
        SELECT instance_id, detail->>'sequence', array_agg(seq ORDER BY seq), array_agg(idempotency_key ORDER BY seq), array_agg(action ORDER BY seq)
        FROM audit_log
        WHERE detail ? 'sequence' {0}
        GROUP BY 1, 2 HAVING count(*) > 1
        ORDER BY min(seq)
        """;

    private const string SupersessionsSql = """
        SELECT seq, instance_id, detail->>'actionSequence', detail->>'keptIdempotencyKey', detail->>'refusedIdempotencyKey', detail->>'refusedAction'
        FROM audit_log
        WHERE action = 'action.superseded' {0}
        ORDER BY seq
        """;

    public static async Task<(List<AuditFork> Forks, List<AuditSupersession> Supersessions)> ReadAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string? instanceId, CancellationToken cancellationToken)
    {
        var filter = instanceId is null ? "" : "AND instance_id = $1";
        var forks = new List<AuditFork>();
        var supersessions = new List<AuditSupersession>();
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                Command(string.Format(System.Globalization.CultureInfo.InvariantCulture, ForksSql, filter), instanceId),
                Command(string.Format(System.Globalization.CultureInfo.InvariantCulture, SupersessionsSql, filter), instanceId),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            forks.Add(new AuditFork(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetFieldValue<long[]>(2),
                reader.GetFieldValue<string[]>(3),
                reader.GetFieldValue<string[]>(4)));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            supersessions.Add(new AuditSupersession(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return (forks, supersessions);
    }

    /// <summary>The verification result with the fork checks applied: a fork is an error, a supersession a warning.</summary>
    public static AuditVerificationResult Apply(AuditVerificationResult chain, List<AuditFork> forks, List<AuditSupersession> supersessions)
    {
        var warned = supersessions.Count == 0
            ? ""
            : $" {supersessions.Count} action(s) were refused as forks and recorded as action.superseded (warnings).";
        if (forks.Count == 0)
        {
            return chain with { Supersessions = supersessions, Message = chain.Message + warned };
        }

        return chain with
        {
            Status = AuditVerificationStatus.Forked,
            FirstBadSeq = forks.Min(f => f.Seqs[1]),
            Forks = forks,
            Supersessions = supersessions,
            Message = $"The hash chain is intact ({chain.RowsChecked} rows), but {forks.Count} (instance, action number) pair(s) hold more than one action: "
                + string.Join("; ", forks.Take(5)) + (forks.Count > 5 ? $"; and {forks.Count - 5} more" : "") + "."
                + warned,
        };
    }

    private static NpgsqlBatchCommand Command(string sql, string? instanceId)
    {
        var command = new NpgsqlBatchCommand(sql);
        if (instanceId is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = instanceId });
        }

        return command;
    }
}

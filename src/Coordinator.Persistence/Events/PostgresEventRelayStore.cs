using System.Text.Json;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Dapper;
using Npgsql;

namespace Coordinator.Persistence.Events;

/// <summary>
/// The CloudEvents relay's state in PostgreSQL (migration 0015, table <c>event_relay_cursors</c>) and its reading of
/// the audit registry. The registry is the relay's outbox: every action of every instance is a row there before any
/// other effect, and <c>seq</c> is gapless and visible in order (an append locks the chain head until it commits, so
/// no row with a lower <c>seq</c> can appear after one with a higher). A target's cursor is the last <c>seq</c> it
/// took; one host at a time holds the target's lease (taken with <c>FOR UPDATE SKIP LOCKED</c>, owner and expiry in
/// the row), and only the holder moves the cursor. Times are the database's, so hosts with different clocks agree.
/// The signatures use the core's and the BCL's types only, so the relay (which may not reference this project) can
/// take this class behind its own port.
/// </summary>
public sealed class PostgresEventRelayStore(NpgsqlDataSource dataSource) : IEventRelayStore
{
    // A new target starts at the registry's current end: history is not replayed to a receiver that was just added.
    private const string EnsureSql = """
        INSERT INTO event_relay_cursors (target, position)
        SELECT @target, seq FROM audit_chain_head
        ON CONFLICT (target) DO NOTHING
        """;

    // The row is taken only when nobody else holds a live lease and its back-off is over; SKIP LOCKED makes a
    // concurrent taker give up at once instead of queueing, and the UPDATE re-checks the latest version of the row.
    private const string LeaseSql = """
        WITH free AS (
            SELECT target FROM event_relay_cursors
            WHERE target = @target AND not_before <= clock_timestamp()
              AND (owner IS NULL OR owner = @owner OR leased_until < clock_timestamp())
            FOR UPDATE SKIP LOCKED
        )
        UPDATE event_relay_cursors c
        SET owner = @owner, leased_until = clock_timestamp() + @lease
        FROM free
        WHERE c.target = free.target
        RETURNING c.position AS Position, c.failures AS Failures
        """;

    private const string AdvanceSql = """
        UPDATE event_relay_cursors
        SET position = @position, failures = 0, not_before = '-infinity', last_error = NULL,
            leased_until = clock_timestamp() + @lease, updated_at = clock_timestamp()
        WHERE target = @target AND owner = @owner AND position <= @position
        """;

    private const string PostponeSql = """
        UPDATE event_relay_cursors
        SET failures = failures + 1, not_before = clock_timestamp() + @delay, last_error = @error,
            owner = NULL, leased_until = NULL, updated_at = clock_timestamp()
        WHERE target = @target AND owner = @owner
        RETURNING failures
        """;

    private const string ReleaseSql = """
        UPDATE event_relay_cursors SET owner = NULL, leased_until = NULL WHERE target = @target AND owner = @owner
        """;

    private const string PositionSql = "SELECT position FROM event_relay_cursors WHERE target = @target";

    private const string HeadSql = "SELECT seq FROM audit_chain_head";

    // Webhook refusals belong to no instance; the workflows list keeps channel and relay rows out anyway.
    private static readonly string ReadSql = $"""
        SELECT {AuditColumns.SelectList()}
        FROM audit_log
        WHERE seq > @after AND seq <= @head AND workflow_id = ANY(@workflows) AND action NOT LIKE 'webhook.%'
        ORDER BY seq
        LIMIT @max
        """;

    private sealed record LeaseRow(long Position, int Failures);

    /// <summary>
    /// Takes (or renews) the lease of <paramref name="target"/> for <paramref name="owner"/>, creating its cursor at the
    /// registry's end when it has none. Answers the cursor and the failures in a row of the event after it; null when
    /// another host holds the lease or the target's back-off is not over.
    /// </summary>
    public async Task<EventCursor?> TryLeaseAsync(string target, string owner, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(EnsureSql, new { target }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<LeaseRow>(new CommandDefinition(LeaseSql, new { target, owner, lease }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : new EventCursor(row.Position, row.Failures);
    }

    /// <summary>
    /// The instance rows after <paramref name="after"/> of <paramref name="workflows"/>, in registry order, at most
    /// <paramref name="max"/>; and how far the registry was scanned (the last row's <c>seq</c> when the page is full,
    /// else the chain head read first), so a cursor can move past rows of other workflows.
    /// </summary>
    public async Task<RegistryPage> ReadAsync(
        long after, IReadOnlyCollection<string> workflows, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflows);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // The head first: every row up to it is committed, so the range (after, head] is complete when read.
        await using var headCommand = new NpgsqlCommand(HeadSql, connection);
        var head = (long)(await headCommand.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The audit_chain_head row is missing; the database schema is damaged. Run `coordinator audit verify` and restore from backup."));
        var rows = new List<(long, AuditEntry)>();
        if (head <= after || workflows.Count == 0)
            return new RegistryPage(rows, Math.Max(head, after));
        await using var command = new NpgsqlCommand(ReadSql, connection);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("head", head);
        command.Parameters.AddWithValue("workflows", workflows.ToArray());
        command.Parameters.AddWithValue("max", max);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                rows.Add(ToEntry(AuditColumns.Read(reader)));
        }
        return new RegistryPage(rows, rows.Count == max ? rows[^1].Item1 : head);
    }

    /// <summary>Moves the cursor to <paramref name="position"/> and renews the lease; false when <paramref name="owner"/> no longer holds it (another host took over).</summary>
    public async Task<bool> AdvanceAsync(string target, string owner, long position, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(AdvanceSql, new { target, owner, position, lease }, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    /// <summary>Counts a failed delivery, lets go of the lease and holds every host off the target for <paramref name="delay"/>; answers the failures in a row (0 when the lease was lost).</summary>
    public async Task<int> PostponeAsync(string target, string owner, TimeSpan delay, string error, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<int?>(new CommandDefinition(PostponeSql, new { target, owner, delay, error }, cancellationToken: cancellationToken)).ConfigureAwait(false) ?? 0;
    }

    /// <summary>Lets go of the lease (a host stopping), so another host takes the target at once.</summary>
    public async Task ReleaseAsync(string target, string owner, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(ReleaseSql, new { target, owner }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The target's cursor; null before the relay first took it.</summary>
    public async Task<long?> PositionAsync(string target, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(PositionSql, new { target }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private static (long, AuditEntry) ToEntry(AuditRowContent row)
    {
        using var detail = JsonDocument.Parse(row.Detail);
        return (row.Seq, new AuditEntry
        {
            IdempotencyKey = row.IdempotencyKey,
            At = new DateTimeOffset(DateTime.SpecifyKind(row.At, DateTimeKind.Utc)),
            InstanceId = row.InstanceId,
            WorkflowId = row.WorkflowId,
            WorkflowVersion = row.WorkflowVersion,
            BusinessKey = row.BusinessKey,
            StepId = row.StepId,
            Action = row.Action,
            Actor = row.Actor,
            Verdict = AuditVerdicts.FromColumn(row.Verdict),
            Detail = detail.RootElement.Clone(),
        });
    }
}
